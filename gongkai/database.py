"""Opening the data home's DuckDB files, and telling a damaged file from a busy one.

A file another process holds is *busy*: waiting helps. A file that is cut short, not DuckDB at
all, or fails its block checksums is *damaged*: waiting and retrying cannot help, so it is one
clear error (:class:`DatabaseDamaged`, a :class:`UserError`: one line, no task retries) that says
what the file holds and what to do. The warehouse, which staging rebuilds, is set aside and rebuilt
by ``gongkai.build.dbt_build`` instead (:func:`set_aside`: the damaged bytes are kept)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

from gongkai.errors import UserError

if TYPE_CHECKING:
    import duckdb

# what DuckDB says of a file that is not (or no longer) a whole database
_DAMAGE = re.compile(
    r"not a valid DuckDB database file|Could not read enough bytes|Corrupt database file|"
    r"checksum \d+ does not match",
    re.IGNORECASE,
)
# what each file holds, and the remedy when it is damaged
REMEDIES = {
    "staging": "it holds the landed texts and the scrape state: restore it from a backup, or move it "
    "aside and scrape again (every downloaded byte is kept in the raw archive)",
    "warehouse": "it is rebuilt from staging: `gongkai build` sets it aside and rebuilds it",
    "serving": "it is a published snapshot: `gongkai publish --rollback` restores the one before it",
}


class DatabaseDamaged(UserError):
    """A DuckDB file that is cut short, not DuckDB, or fails its checksums (exit code 6)."""

    exit_code = 6


def damage_of(exc: BaseException) -> str | None:
    """The line of what DuckDB said (``exc``, or a failure message wrapped in one) that says a
    database file is damaged, else None: a lock, a missing table, a permission are not damage."""
    message = str(exc)
    found = _DAMAGE.search(message)
    if found is None:
        return None
    line_start = message.rfind("\n", 0, found.start()) + 1
    line_end = message.find("\n", found.end())
    return message[line_start : None if line_end < 0 else line_end].strip()


def damaged_error(role: str, path: Path, damage: str) -> DatabaseDamaged:
    return DatabaseDamaged(f"the {role} database {path} is damaged ({damage}); {REMEDIES[role]}")


def as_damaged(exc: BaseException, files: dict[str, Path]) -> DatabaseDamaged | None:
    """``exc`` (raised by any query, since a cut file can open and fail later) as the
    :class:`DatabaseDamaged` of the file of ``files`` (role → path) it names, or None when it is not
    damage. A message that names none of them (a checksum error) names the data home's files."""
    damage = damage_of(exc)
    if damage is None:
        return None
    role = named_file(str(exc), files)
    if role is not None:
        return damaged_error(role, files[role], damage)
    where = ", ".join(f"{role} {path}" for role, path in files.items())
    return DatabaseDamaged(f"a database file is damaged ({damage}); one of: {where}")


def named_file(message: str, files: dict[str, Path]) -> str | None:
    """The role of the file of ``files`` (role → path) that ``message`` names, or None."""
    for role, path in files.items():
        if str(path) in message or str(path.resolve()) in message:
            return role
    return None


def open_duckdb(
    path: Path, role: str, *, read_only: bool = False, config: dict | None = None
) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect`` of the data home's ``role`` database (staging | warehouse | serving);
    a damaged file raises :class:`DatabaseDamaged`, every other error is DuckDB's own."""
    import duckdb

    try:
        if config:
            return duckdb.connect(str(path), read_only=read_only, config=config)
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        damage = damage_of(exc)
        if damage is None:
            raise
        raise damaged_error(role, path, damage) from exc


def set_aside(path: Path) -> Path:
    """Rename a damaged database file (and its write-ahead log) to ``<name>.damaged-<time>`` beside
    it, so that a new one can be made and nothing of the old one is lost; returns the new path."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    path.rename(aside)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        wal.rename(aside.with_name(aside.name + ".wal"))
    return aside


def sql_string(value: object) -> str:
    """``value`` as a SQL string literal (a path may hold a quote: /home/o'brien/…)."""
    return "'" + str(value).replace("'", "''") + "'"


def attach_staging(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """ATTACH the staging file read-only as ``staging``; a damaged one raises :class:`DatabaseDamaged`."""
    import duckdb

    try:
        con.sql(f"attach {sql_string(path)} as staging (read_only)")
    except duckdb.Error as exc:
        damage = damage_of(exc)
        if damage is None:
            raise
        raise damaged_error("staging", path, damage) from exc
