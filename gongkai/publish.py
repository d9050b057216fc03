"""Write–audit–publish: after the gate passes, publish a snapshot of the warehouse for BI tools.

One snapshot, one switch. Each publish builds a complete snapshot folder — the serving DuckDB file
(in the old ``STORAGE_VERSION`` that DuckDB 1.4/1.5 readers open) and the Parquet file of every
table — in a hidden ``serving/.building-<publish_id>/``, fsyncs it, renames it to
``serving/snapshots/<publish_id>/`` and then swaps one symlink, ``serving/current``, to it
(``os.replace``). The stable paths BI tools are configured with are fixed symlinks through that
pointer: ``serving/warehouse.duckdb -> current/warehouse.duckdb`` and ``serving/parquet ->
current/parquet``, so the DuckDB file and the Parquet files of one publish become current together.
The last ``KEEP_SNAPSHOTS`` snapshots are kept (readers of an older one keep working, and
``rollback`` can switch back to one); folders of killed publishes are removed by the next publish.

Before the switch publishing checks:

- the gate's verdict is about this warehouse file (``ValidationResult.warehouse_stamp``); when the
  file changed since, or no verdict is given, the gate runs again here;
- documents the gate quarantined are left out: their rows are deleted from the snapshot's tables
  (``mart_report_quality`` keeps them, marked ``gate_quarantined`` with the gate's reasons);
- the volume guard: no table loses more than ``MAX_SHRINK`` of its rows, and no report or
  agency-year of the current snapshot disappears (beyond the quarantined documents), unless the
  operator allows it with a reason (``allow_shrink``), which the manifest records.

The warehouse file is copied as it is when stored in ``STORAGE_VERSION`` (every warehouse gongkai
creates), then trimmed of views (dbt's ``stg``/``int`` layers read the staging file) and of the
build's bookkeeping (schema ``build_state``); any other is re-encoded (``COPY FROM DATABASE``). The
gate normally staged the Parquet files while it validated (``gongkai.parquet_export.ParquetStage``):
that candidate folder becomes the snapshot's ``parquet/`` when the warehouse is unchanged since the
gate and nothing was quarantined; otherwise the files are written here.

Readers: a process that keeps a DuckDB connection open to a path keeps reading the file it opened
(DuckDB shares one database instance per path within a process). BI processes with connection pools
resolve the pointer when they connect: ``current_snapshot_db`` and ``serving_engine`` (see
``expectations/README.md``, "Connecting BI tools").
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gongkai.config import STORAGE_VERSION, WAREHOUSE_DUCKDB_CONFIG, Settings
from gongkai.database import damage_of, open_duckdb, sql_string
from gongkai.parquet_export import (
    CANDIDATE_MARKER,
    CANDIDATE_PREFIX,
    complete_candidate,
    export_tables,
    fsync,
    main_tables,
    parquet_file,
    warehouse_stamp,
)
from gongkai.validate import ValidationResult

__all__ = [
    "STORAGE_VERSION",
    "PublishResult",
    "current_snapshot_db",
    "publish",
    "rollback",
    "serving_engine",
    "snapshots",
]
KEEP_SNAPSHOTS = 3  # snapshots kept (the current one and the ones before it: rollback targets)
STALE_CANDIDATE_S = 3600  # a gate's candidate Parquet folder older than this was abandoned
MAX_SHRINK = 0.10  # a table may lose at most this share of its rows without an operator's override
MANIFEST = "publish_manifest"
SNAPSHOTS = "snapshots"
CURRENT = "current"
BUILDING_PREFIX = ".building-"
RECORD = "publish.json"  # in each snapshot folder: what was published, quarantined, allowed
# tables of the snapshot whose rows of a quarantined document are kept and marked, not deleted
KEPT_ON_QUARANTINE = {
    "mart_report_quality": "status = 'gate_quarantined', reasons = q.reasons",
    "mart_publication_timeliness": "report_key = null",
}
NOT_GUARDED = ("validation_runs", "validation_results", MANIFEST)  # bounded bookkeeping, may shrink


@dataclass
class PublishResult:
    published: bool
    serving_db: str
    parquet_dir: str
    tables: dict[str, int] = field(default_factory=dict)  # published table (schema.name) -> rows
    elapsed_s: float = 0.0
    reason: str = ""
    publish_id: str = ""
    validation_run_id: str | None = None
    # seconds per phase: copy, parquet (written beside the copy), counts (+ manifest), fsync
    phases: dict[str, float] = field(default_factory=dict)
    snapshot_dir: str = ""
    quarantined: list[str] = field(default_factory=list)  # document ids left out
    shrink: list[str] = field(default_factory=list)  # what the volume guard found lost
    allow_shrink: str = ""  # the operator's reason, when the guard was overridden
    revalidated: bool = False  # the gate ran again here (no verdict, or the warehouse changed since)
    targets: dict[str, dict] = field(default_factory=dict)  # further serving targets: name -> outcome
    blocking: list[str] = field(default_factory=list)  # a gate that failed: "suite: first example"


class ShrinkBlocked(Exception):
    """The volume guard stopped the publish; ``lost`` says what would have been lost."""

    def __init__(self, lost: list[str]) -> None:
        super().__init__("; ".join(lost[:5]) + (f" (and {len(lost) - 5} more)" if len(lost) > 5 else ""))
        self.lost = lost


# ---- the serving folder's layout -----------------------------------------------------------------


def snapshots(settings: Settings) -> list[str]:
    """Ids of the kept snapshots, oldest first."""
    root = settings.serving_dir / SNAPSHOTS
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def current_snapshot(settings: Settings) -> str | None:
    """The id of the snapshot ``serving/current`` points to, if any."""
    link = settings.serving_dir / CURRENT
    return Path(os.readlink(link)).name if link.is_symlink() else None


def current_snapshot_db(settings: Settings) -> Path:
    """The DuckDB file of the current snapshot, resolved (a path of its own per publish): what a
    reader that keeps connections should open, so that a new connection sees the new publish."""
    snapshot = current_snapshot(settings)
    if snapshot is None:
        return settings.serving_db
    return settings.serving_dir / SNAPSHOTS / snapshot / "warehouse.duckdb"


def _replace_symlink(link: Path, target: str) -> None:
    tmp = link.with_name(f".link-{uuid.uuid4().hex[:8]}")
    os.symlink(target, tmp)
    os.replace(tmp, link)


def _switch(settings: Settings, snapshot_id: str) -> None:
    """Make ``snapshot_id`` current: one atomic symlink swap; the stable paths are created once."""
    serving = settings.serving_dir
    _replace_symlink(serving / CURRENT, f"{SNAPSHOTS}/{snapshot_id}")
    for link, target in (
        (settings.serving_db, f"{CURRENT}/warehouse.duckdb"),
        (settings.parquet_dir, f"{CURRENT}/parquet"),
    ):
        if not (link.is_symlink() and os.readlink(link) == target):
            _replace_symlink(link, target)  # a file or folder of the older layout is replaced once
    fsync(serving)


def _clean(settings: Settings, keep: set[str], switched: bool = False) -> None:
    """Remove what killed publishes left (building folders, temporary links), abandoned gate
    candidates, snapshots beyond ``KEEP_SNAPSHOTS`` and, once a snapshot is current (``switched``),
    the Parquet folders of the older layout."""
    serving = settings.serving_dir
    now = time.time()
    for path in serving.iterdir():
        name = path.name
        legacy = switched and name.startswith("parquet-") and path.is_dir() and not path.is_symlink()
        if name.startswith((BUILDING_PREFIX, ".link-", ".warehouse.")) or legacy:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        elif (
            name.startswith(CANDIDATE_PREFIX)
            and name not in keep
            and now - path.stat().st_mtime > STALE_CANDIDATE_S
        ):
            shutil.rmtree(path, ignore_errors=True)
    current = current_snapshot(settings)
    kept = snapshots(settings)
    for old in kept[: max(0, len(kept) - KEEP_SNAPSHOTS)]:
        if old != current:
            shutil.rmtree(serving / SNAPSHOTS / old, ignore_errors=True)


@contextmanager
def _publish_lock(serving_dir: Path) -> Iterator[None]:
    """One publisher at a time (a second one waits)."""
    serving_dir.mkdir(parents=True, exist_ok=True)
    with open(serving_dir / ".publish.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---- building a snapshot -------------------------------------------------------------------------


def _open_copy(con: Any, warehouse: Path, target: Path, phases: dict[str, float]) -> bool:
    """Attach the warehouse (``wh``, read-only) and its copy ``target`` (``pub``); True when the copy is
    a file copy (the warehouse is stored in ``STORAGE_VERSION``), False when it must be re-encoded."""
    if Path(f"{warehouse}.wal").exists():  # fold the WAL in, so that the file alone is the snapshot
        with open_duckdb(warehouse, "warehouse", config=WAREHOUSE_DUCKDB_CONFIG) as rw:
            rw.execute("checkpoint")
    con.execute(f"attach {sql_string(warehouse)} as wh (read_only)")
    stored = con.execute(
        "select tags['storage_version'] from duckdb_databases() where database_name = 'wh'"
    ).fetchone()[0]
    file_copy = str(stored or "").startswith(STORAGE_VERSION)
    phases["file_copy"] = float(file_copy)  # 1.0: copied as a file; 0.0: re-encoded table by table
    if file_copy:  # nothing writes the warehouse while it is published: its file is the snapshot
        shutil.copyfile(warehouse, target)
        con.execute(f"attach {sql_string(target)} as pub")
    else:
        con.execute(f"attach {sql_string(target)} as pub (storage_version '{STORAGE_VERSION}')")
    return file_copy


def _trim(con: Any) -> None:
    """Drop the build's bookkeeping, the intermediate layer (dbt's working tables), every view and
    the schemas left empty from the copy."""
    con.execute("drop schema if exists pub.build_state cascade")
    con.execute('drop schema if exists pub."int" cascade')
    for schema, name in con.execute(
        "select schema_name, view_name from duckdb_views() where database_name = 'pub' and not internal"
    ).fetchall():
        con.execute(f'drop view pub."{schema}"."{name}"')
    for (schema,) in con.execute(
        "select schema_name from duckdb_schemas() where database_name = 'pub' and schema_name <> 'main'"
        " and not internal and schema_name not in"
        " (select schema_name from duckdb_tables() where database_name = 'pub')"
    ).fetchall():
        con.execute(f'drop schema pub."{schema}"')


def _drop_quarantined(con: Any, quarantined: list[dict[str, Any]]) -> None:
    """Delete the quarantined documents' rows from every table of the copy that has a ``document_id``
    or a ``report_key`` (``KEPT_ON_QUARANTINE`` tables keep them, marked)."""
    con.execute("create or replace temp table quarantine (document_id varchar, reasons varchar)")
    con.executemany(
        "insert into quarantine values (?, ?)",
        [[q["document_id"], q.get("reasons", "")] for q in quarantined],
    )
    con.execute(
        "create or replace temp table quarantine_reports as select key from pub.main.dim_report"
        " where document_id in (select document_id from quarantine)"
    )
    columns: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from duckdb_columns() where database_name = 'pub'"
        " and schema_name = 'main' and column_name in ('document_id', 'report_key')"
    ).fetchall():
        columns.setdefault(table, set()).add(column)
    for table, has in sorted(columns.items()):
        if table in KEPT_ON_QUARANTINE:
            con.execute(
                f'update pub.main."{table}" as t set {KEPT_ON_QUARANTINE[table]}'
                " from quarantine as q where q.document_id = t.document_id"
            )
        elif "document_id" in has:
            con.execute(
                f'delete from pub.main."{table}" where document_id in (select document_id from quarantine)'
            )
        else:
            con.execute(
                f'delete from pub.main."{table}" where report_key in (select key from quarantine_reports)'
            )


def _table_counts(con: Any) -> dict[str, int]:
    """Exact row counts of every table of the copy (cheap: 0.05 s for every table at 100k reports)."""
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'pub' order by all"
    ).fetchall()
    return {f"{s}.{t}": con.execute(f'select count(*) from pub."{s}"."{t}"').fetchone()[0] for s, t in tables}


def _record_manifest(
    con: Any, publish_id: str, validation_run_id: str | None, allow_shrink: str
) -> dict[str, int]:
    """Row counts of every table of the copy, written into its ``main.publish_manifest``."""
    counts = _table_counts(con)
    con.execute(
        f"create table pub.main.{MANIFEST} (publish_id varchar, published_at timestamp,"
        " validation_run_id varchar, table_name varchar, row_count bigint, allow_shrink_reason varchar)"
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    con.executemany(
        f"insert into pub.main.{MANIFEST} values (?, ?, ?, ?, ?, ?)",
        [
            [publish_id, now, validation_run_id, name, rows, allow_shrink or None]
            for name, rows in counts.items()
        ],
    )
    return counts


# the served copy describes itself: comments on the tables the gate and publish add (dbt's models
# carry their own, persisted from their yml)
BOOKKEEPING_DOCS: dict[str, tuple[str, dict[str, str]]] = {
    "validation_runs": (
        "校验运行 — one row per gate run (the last 30 kept)",
        {
            "run_id": "运行编号 — gate run id",
            "started_at": "开始时间 — when the gate started (UTC)",
            "finished_at": "结束时间 — when the gate finished (UTC)",
            "success": "是否通过 — no blocking expectation failed",
            "blocking_failed": "阻断失败数 — blocking expectations that failed (count)",
            "warnings": "警告数 — warning expectations that failed (count)",
            "expectations": "期望数 — expectations evaluated (count)",
            "elapsed_s": "耗时 — seconds the gate took (s)",
            "results_path": "结果文件 — path of the run's JSON results",
            "data_docs_path": "数据文档 — path of the run's Data Docs",
            "scope": "校验范围 — full: every row; delta: the documents changed since the last gate that"
            " passed (same verdict; a suite on unchanged tables keeps that gate's outcome)",
            "scope_documents": "校验文档数 — documents a delta gate validated (count; 0 in a full gate)",
        },
    ),
    "validation_results": (
        "校验结果 — one row per expectation of each kept gate run",
        {
            "run_id": "运行编号 — gate run id (validation_runs.run_id)",
            "suite": "套件 — expectation suite",
            "family": "类别 — suite family (staging, marts, reconcile, documents, warnings)",
            "table_name": "表 — table the expectation is about",
            "expectation": "期望 — Great Expectations expectation type",
            "column_name": "列 — column the expectation is about",
            "severity": "级别 — blocking | warning",
            "rule": "规则 — the rule in words",
            "success": "是否满足 — the expectation held",
            "element_count": "检查行数 — rows checked (count)",
            "unexpected_count": "异常行数 — rows that broke the rule (count)",
            "sample": "样例 — a few failing values (JSON)",
            "error": "错误 — why the expectation could not be evaluated",
            "carried_from": "沿用自 — the gate run whose outcome this is, kept because the tables the suite"
            " reads are unchanged since (NULL: evaluated in this run)",
        },
    ),
    MANIFEST: (
        "发布清单 — what this publish holds: one row per published table",
        {
            "publish_id": "发布编号 — id of this publish (snapshot)",
            "published_at": "发布时间 — when it was published (UTC)",
            "validation_run_id": "校验运行 — the gate run that passed it",
            "table_name": "表 — published table (schema.name)",
            "row_count": "行数 — rows of the table (count)",
            "allow_shrink_reason": "缩减原因 — the operator's reason for publishing despite the volume guard",
        },
    ),
}


def _describe_bookkeeping(con: Any) -> None:
    tables = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where database_name = 'pub' and schema_name = 'main'"
        ).fetchall()
    }
    for table, (comment, columns) in BOOKKEEPING_DOCS.items():
        if table not in tables:
            continue
        con.execute(f"comment on table pub.main.{table} is {sql_string(comment)}")
        for column, text in columns.items():
            con.execute(f"comment on column pub.main.{table}.{column} is {sql_string(text)}")


def _volume_lost(
    con: Any, served: Path, counts: dict[str, int], quarantined: list[dict[str, Any]]
) -> list[str]:
    """What the copy (``pub``) would lose against the served snapshot: tables shrunk beyond
    ``MAX_SHRINK``, reports and agency-years gone (other than the quarantined documents'). A served
    snapshot that is damaged cannot be compared: that is said as a loss, so the operator decides
    (``--rollback`` to the snapshot before it, or ``--allow-shrink`` with a reason)."""
    import duckdb

    try:
        con.execute(f"attach {sql_string(served)} as served (read_only)")
    except duckdb.Error as exc:
        return _damaged_served(exc, served)
    try:
        lost = []
        for schema, table in con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'served' order by all"
        ).fetchall():
            if table in NOT_GUARDED:
                continue
            before = con.execute(f'select count(*) from served."{schema}"."{table}"').fetchone()[0]
            after = counts.get(f"{schema}.{table}")
            if after is None:
                lost.append(f"table {schema}.{table} ({before} rows) would disappear")
            elif after < before * (1 - MAX_SHRINK):
                lost.append(f"{schema}.{table}: {before} -> {after} rows (more than {MAX_SHRINK:.0%} fewer)")
        dropped = {q["document_id"] for q in quarantined}
        for what, table, key in (
            ("report", "dim_report", "document_id"),
            ("agency-year", "mart_agency_year", "agency_code || ' ' || report_year"),
        ):
            if f"main.{table}" not in counts:
                continue
            try:
                gone = con.execute(
                    f"select k, d from (select {key} as k, min(document_id) as d from served.main.{table}"
                    f" group by 1) where k not in (select {key} from pub.main.{table}) order by k"
                ).fetchall()
            except (duckdb.CatalogException, duckdb.BinderException):  # the served copy has no such table (yet)
                continue
            gone = [k for k, d in gone if d not in dropped]
            if gone:
                shown = ", ".join(str(k) for k in gone[:5])
                lost.append(f"{len(gone)} {what}(s) of the served copy would disappear ({shown})")
        return lost
    except duckdb.Error as exc:
        return _damaged_served(exc, served)
    finally:
        con.execute("detach served")


def _damaged_served(exc: Exception, served: Path) -> list[str]:
    """The loss to report when the served snapshot cannot be read (re-raises any other error)."""
    damage = damage_of(exc)
    if damage is None:
        raise exc
    return [
        f"the served snapshot {served} is damaged ({damage}): nothing to compare this copy with "
        "(`gongkai publish --rollback` restores the snapshot before it)"
    ]


@dataclass
class _Snapshot:
    """What one publish writes (``folder``: the hidden building folder) and from what."""

    folder: Path
    publish_id: str
    validation: ValidationResult
    staged: tuple[str, ...] = ()  # Parquet files the gate staged, already in folder/parquet
    parquet: bool = True
    allow_shrink: str = ""
    served: Path | None = None  # the current snapshot's DuckDB file (volume guard), if any


def _build_snapshot(
    snap: _Snapshot, warehouse: Path, phases: dict[str, float]
) -> tuple[dict[str, int], list[str]]:
    """Copy the warehouse into the snapshot folder (trimmed, quarantined documents left out), check the
    volume against the served copy, write the Parquet files; returns (row counts, what the volume guard
    found lost). Raises ``ShrinkBlocked`` when something would be lost without ``allow_shrink``."""
    import duckdb

    target = snap.folder / "warehouse.duckdb"
    parquet_dir = snap.folder / "parquet"
    parquet_dir.mkdir(parents=True, exist_ok=True)
    quarantined = snap.validation.quarantined
    # DuckDB's progress bar (on by default, even without a terminal) keeps the copy on ~one core
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    pool = ThreadPoolExecutor(max_workers=1)
    job = None
    try:
        t = time.perf_counter()
        file_copy = _open_copy(con, warehouse, target, phases)
        if snap.parquet and not quarantined:  # written from the warehouse while the copy is made
            names = [name for name in main_tables(con) if name not in snap.staged]
            job = pool.submit(export_tables, con.cursor(), names, parquet_dir)
        if not file_copy:
            con.execute("copy from database wh to pub")
        phases["copy"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        _trim(con)
        # the guard compares the warehouse's rows; the quarantined documents are named apart
        lost = _volume_lost(con, snap.served, _table_counts(con), quarantined) if snap.served else []
        if quarantined:
            _drop_quarantined(con, quarantined)
        counts = _record_manifest(con, snap.publish_id, snap.validation.run_id, snap.allow_shrink)
        _describe_bookkeeping(con)
        phases["counts"] = round(time.perf_counter() - t, 2)
        if lost and not snap.allow_shrink:
            raise ShrinkBlocked(lost)
        if snap.parquet:
            if job is not None:
                phases["parquet"] = job.result()
            else:  # quarantined documents are left out: the files come from the trimmed copy
                names = [n for n in main_tables(con, "pub") if n != MANIFEST]
                phases["parquet"] = export_tables(con, names, parquet_dir, database="pub")
            parquet_file(con, f"pub.main.{MANIFEST}", parquet_dir / f"{MANIFEST}.parquet")
            fsync(parquet_dir)
        con.execute("detach pub")
    finally:
        pool.shutdown(wait=True)  # never close the connection under a running export
        con.close()
    return counts, lost


def _candidate(settings: Settings, validation: ValidationResult) -> Path | None:
    """The gate's staged Parquet folder, if it names one of this serving folder's candidates (never
    another path: publish deletes it)."""
    path = Path(validation.parquet_candidate) if validation.parquet_candidate else None
    if path is None or path.parent != settings.serving_dir or not path.name.startswith(CANDIDATE_PREFIX):
        return None
    return path


def _drop_candidate(settings: Settings, validation: ValidationResult) -> None:
    candidate = _candidate(settings, validation)
    if candidate is not None:
        shutil.rmtree(candidate, ignore_errors=True)


def _take_candidate(settings: Settings, validation: ValidationResult, folder: Path) -> tuple[str, ...]:
    """Move the Parquet files the gate staged into ``folder`` when they are complete, the warehouse
    file is unchanged since the gate and no document is quarantined; returns the tables they hold
    (none: publish writes them all)."""
    candidate = _candidate(settings, validation)
    if candidate is None:
        return ()
    tables = complete_candidate(candidate)
    usable = tables is not None and not validation.quarantined
    if not usable or validation.warehouse_stamp != warehouse_stamp(settings.warehouse_db):
        shutil.rmtree(candidate, ignore_errors=True)
        return ()
    (candidate / CANDIDATE_MARKER).unlink()
    candidate.rename(folder)
    return tuple(tables or ())


def _verified(
    settings: Settings, validation: ValidationResult | None, parquet: bool
) -> tuple[ValidationResult, bool]:
    """A gate verdict about the warehouse file as it is now: ``validation`` when its stamp matches the
    file, else a new gate run (True)."""
    if validation is not None and settings.warehouse_db.exists():
        if validation.warehouse_stamp and validation.warehouse_stamp == warehouse_stamp(
            settings.warehouse_db
        ):
            return validation, False
        _drop_candidate(settings, validation)
    from gongkai.validate import run_validation

    return run_validation(settings, stage_parquet=parquet), True


def _write_record(snap: _Snapshot, result: PublishResult) -> None:
    record = {
        "publish_id": snap.publish_id,
        "published_at": datetime.now(UTC).isoformat(),
        "validation_run_id": snap.validation.run_id,
        "revalidated": result.revalidated,
        "tables": result.tables,
        "quarantined": snap.validation.quarantined,
        "allow_shrink": snap.allow_shrink,
        "shrink": result.shrink,
        "phases": result.phases,
    }
    path = snap.folder / RECORD
    path.write_text(json.dumps(record, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    fsync(path)


def _publish_snapshot(settings: Settings, snap: _Snapshot, result: PublishResult) -> Path:
    """Under the publish lock: clean leftovers, build the snapshot, move it into ``snapshots/`` and
    make it current; returns its folder."""
    validation = snap.validation
    _clean(settings, keep={Path(validation.parquet_candidate).name})
    snap.folder.mkdir()
    snap.staged = _take_candidate(settings, validation, snap.folder / "parquet") if snap.parquet else ()
    result.phases["parquet_staged"] = float(bool(snap.staged))  # 1.0: the gate's files were used
    if not snap.parquet:
        _drop_candidate(settings, validation)
    served = current_snapshot_db(settings)
    snap.served = served if served.exists() else None
    result.tables, result.shrink = _build_snapshot(snap, settings.warehouse_db, result.phases)
    _write_record(snap, result)
    t = time.perf_counter()
    fsync(snap.folder / "warehouse.duckdb")
    fsync(snap.folder)
    result.phases["fsync"] = round(time.perf_counter() - t, 2)
    final = settings.serving_dir / SNAPSHOTS / snap.publish_id
    final.parent.mkdir(exist_ok=True)
    os.replace(snap.folder, final)
    fsync(final.parent)
    _switch(settings, snap.publish_id)
    _clean(settings, keep=set(), switched=True)
    return final


def _publish_targets(settings: Settings, snapshot: Path, result: PublishResult) -> None:
    """Further serving targets fed from a snapshot that just became current: the PostgreSQL copy
    (:mod:`gongkai.serving_pg`) when ``serving_postgres_url`` is set. Called once per successful
    publish, after the switch; a failure here does not undo the switch: it is recorded in
    ``result.targets`` (and the CLI and the DAG task fail on it, so it alerts)."""
    if not settings.serving_postgres_url:
        return
    from gongkai.errors import UserError
    from gongkai.serving_pg import publish_to_postgres, redact

    try:
        pg = publish_to_postgres(
            snapshot / "warehouse.duckdb",
            settings.serving_postgres_url,
            result.publish_id,
            schema=settings.serving_postgres_schema,
        )
        result.targets["postgres"] = {
            "ok": True,
            "url": pg.url,
            "schema": pg.schema,
            "tables": len(pg.tables),
            "rows": sum(pg.tables.values()),
            "seconds": pg.elapsed_s,
        }
    except (UserError, Exception) as exc:  # noqa: BLE001 - recorded, reported by the caller
        result.targets["postgres"] = {
            "ok": False,
            "url": redact(settings.serving_postgres_url),
            "error": str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
        }


def publish(
    settings: Settings,
    *,
    validation: ValidationResult | None = None,
    parquet: bool = True,
    allow_shrink: str = "",
) -> PublishResult:
    """Publish the warehouse as a new current snapshot when the gate passes. The gate runs first when
    ``validation`` is None or is not about the warehouse file as it is now. ``allow_shrink``: the
    operator's reason to publish although the volume guard finds rows, reports or agency-years lost."""
    start = time.perf_counter()
    result = PublishResult(
        False, str(settings.serving_db), str(settings.parquet_dir), allow_shrink=allow_shrink
    )

    def done(reason: str) -> PublishResult:
        result.reason = reason
        result.elapsed_s = round(time.perf_counter() - start, 2)
        return result

    validation, result.revalidated = _verified(settings, validation, parquet)
    result.validation_run_id = validation.run_id
    if not validation.success:
        _drop_candidate(settings, validation)
        result.blocking = [
            f"{f['suite']}: {(f.get('sample') or [f.get('error') or f['rule']])[0]}"[:300]
            for f in validation.failures
            if f.get("severity") == "blocking"
        ]
        return done(
            f"gate failed: {validation.blocking_failed} blocking expectation(s) failed"
            f"{' — ' + validation.error if validation.error else ''}; the previous serving copy stays"
        )
    publish_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f") + "-" + uuid.uuid4().hex[:6]
    result.publish_id = publish_id
    result.quarantined = [q["document_id"] for q in validation.quarantined]
    snap = _Snapshot(
        settings.serving_dir / f"{BUILDING_PREFIX}{publish_id}",
        publish_id,
        validation,
        parquet=parquet,
        allow_shrink=allow_shrink,
    )
    try:
        with _publish_lock(settings.serving_dir):
            final = _publish_snapshot(settings, snap, result)
    except ShrinkBlocked as exc:
        shutil.rmtree(snap.folder, ignore_errors=True)
        result.shrink = exc.lost
        return done(
            f"volume guard: {exc}; the previous serving copy stays"
            " (publish anyway with `gongkai publish --allow-shrink REASON`)"
        )
    except Exception as exc:  # nothing switched: the old snapshot stays current; say why
        shutil.rmtree(snap.folder, ignore_errors=True)
        return done(f"publish failed: {type(exc).__name__}: {exc}; the previous serving copy stays")
    result.published = True
    result.snapshot_dir = str(final)
    _publish_targets(settings, final, result)
    quarantine = f", {len(result.quarantined)} document(s) quarantined" if result.quarantined else ""
    allowed = f", shrink allowed: {allow_shrink}" if result.shrink else ""
    return done(
        f"gate passed ({validation.warnings} warning(s){quarantine}{allowed});"
        f" published {len(result.tables)} tables"
    )


def rollback(settings: Settings, snapshot_id: str | None = None) -> PublishResult:
    """Make a kept snapshot current again: ``snapshot_id``, or the one before the current one."""
    start = time.perf_counter()
    result = PublishResult(False, str(settings.serving_db), str(settings.parquet_dir))
    with _publish_lock(settings.serving_dir):
        kept = snapshots(settings)
        current = current_snapshot(settings)
        if snapshot_id is None:
            older = [s for s in kept if current is None or s < current]
            snapshot_id = older[-1] if older else None
        if snapshot_id is None or snapshot_id not in kept:
            result.reason = f"no kept snapshot {snapshot_id or 'before the current one'}; kept: {', '.join(kept) or 'none'}"
        else:
            _switch(settings, snapshot_id)
            result.published = True
            result.publish_id = snapshot_id
            result.snapshot_dir = str(settings.serving_dir / SNAPSHOTS / snapshot_id)
            record = Path(result.snapshot_dir) / RECORD
            if record.exists():
                saved = json.loads(record.read_text(encoding="utf-8"))
                result.tables = saved.get("tables", {})
                result.validation_run_id = saved.get("validation_run_id")
            result.reason = f"rolled back from {current} to {snapshot_id}"
    result.elapsed_s = round(time.perf_counter() - start, 2)
    return result


def serving_engine(settings: Settings, **engine_args: Any) -> Any:
    """A SQLAlchemy engine (duckdb-engine) for BI code in Python that keeps pooled connections: each
    connection opens the current snapshot's own file read-only, and a pooled connection to an older
    snapshot is replaced when it is checked out, so the next query after a publish reads the new
    snapshot, and one connection never mixes two."""
    from sqlalchemy import create_engine, event, exc

    engine = create_engine(f"duckdb:///{settings.serving_db}", **engine_args)  # the file: set per connection

    @event.listens_for(engine, "do_connect")
    def _open_current(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        path = current_snapshot_db(settings)
        cparams["database"] = str(path)
        cparams["read_only"] = True
        record.info["snapshot"] = str(path)

    @event.listens_for(engine, "checkout")
    def _still_current(dbapi_con: Any, record: Any, proxy: Any) -> None:
        if record.info.get("snapshot") != str(current_snapshot_db(settings)):
            raise exc.DisconnectionError("a newer snapshot was published")

    return engine
