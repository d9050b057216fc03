"""PostgreSQL serving target: load one published snapshot into PostgreSQL and make it current in one
transaction.

BI servers of a team usually read PostgreSQL, not a DuckDB file on a worker's disk. After a publish,
every table of the served DuckDB file is copied (``COPY … FROM STDIN``, CSV written by DuckDB) into a
new schema ``<schema>__<publish id>``, with the same columns, types mapped to PostgreSQL, and the same
table and column comments. The swap is two ``ALTER SCHEMA … RENAME`` in one transaction: the
current schema becomes ``<schema>__prev_<id>`` and the new one becomes ``<schema>``. Readers query
``<schema>.<table>`` with any pool: a statement resolves every name against one catalog state, so a
query sees the whole old snapshot or the whole new one, and the next query after the commit sees the
new one (a query already running finishes on the old tables, which stay until ``keep`` newer
snapshots exist). Each snapshot carries a ``_publish`` table (publish id, time, row counts).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import duckdb

from gongkai.database import open_duckdb, sql_string
from gongkai.errors import UserError

DEFAULT_SCHEMA = "gongkai"
KEEP_PREVIOUS = 2  # previous snapshots kept as schemas (readers mid-query, rollback by hand)
_SAFE = re.compile(r"[^a-z0-9_]")

# DuckDB type (upper, without parameters) -> PostgreSQL type; nested types travel as JSON
_TYPES = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "INTERVAL": "interval",
    "UUID": "uuid",
    "VARCHAR": "text",
    "BLOB": "bytea",
}


@dataclass
class PostgresServeResult:
    url: str  # without the password
    schema: str
    publish_id: str
    tables: dict[str, int] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def pg_type(duckdb_type: str) -> tuple[str, bool]:
    """(PostgreSQL type, whether the value travels as JSON text) for a DuckDB column type."""
    t = duckdb_type.upper()
    if t.startswith("DECIMAL"):
        return "numeric" + t[len("DECIMAL") :].lower(), False
    if t.endswith("[]") or t.startswith(("STRUCT", "MAP", "UNION")) or "[" in t:
        return "jsonb", True
    if t.startswith("ENUM"):
        return "text", False
    return _TYPES.get(t, "text"), False


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _connect(url: str):
    import psycopg2

    try:
        return psycopg2.connect(url.replace("postgresql+psycopg2://", "postgresql://"), connect_timeout=10)
    except psycopg2.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"cannot connect to the PostgreSQL serving target {redact(url)}: {first}") from None


def _source_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None]]:
    return con.execute(
        "select table_name, comment from duckdb_tables() "
        "where schema_name = 'main' and database_name = current_database() and not internal "
        "order by table_name"
    ).fetchall()


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str, str | None]]:
    return con.execute(
        "select column_name, data_type, comment from duckdb_columns() "
        "where schema_name = 'main' and database_name = current_database() and table_name = ? "
        "order by column_index",
        [table],
    ).fetchall()


def _copy_table(src: duckdb.DuckDBPyConnection, cur, table: str, target: str) -> int:
    """Create ``target.table`` like the DuckDB table (types, comments) and COPY its rows in."""
    columns = _columns(src, table)
    defs, selects = [], []
    for name, dtype, _ in columns:
        pgt, as_json = pg_type(dtype)
        defs.append(f"{_ident(name)} {pgt}")
        selects.append(f"to_json({_ident(name)})::varchar" if as_json else _ident(name))
    cur.execute(f"create table {target}.{_ident(table)} ({', '.join(defs)})")
    tmp = Path(src.execute("select current_setting('temp_directory')").fetchone()[0] or "/tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    csv = tmp / f"gongkai-pg-{table}-{time.monotonic_ns()}.csv"
    try:
        # nulls stay unquoted empty fields, every value is quoted: PostgreSQL's CSV tells '' from NULL
        src.execute(
            f"copy (select {', '.join(selects)} from main.{_ident(table)}) to {sql_string(csv)} "
            "(format csv, header false, force_quote *)"
        )
        with open(csv, "rb") as handle:
            cur.copy_expert(f"copy {target}.{_ident(table)} from stdin with (format csv)", handle)
    finally:
        csv.unlink(missing_ok=True)
    rows = int(src.execute(f"select count(*) from main.{_ident(table)}").fetchone()[0])
    comment = dict(_source_tables(src)).get(table)
    if comment:
        cur.execute(f"comment on table {target}.{_ident(table)} is {_literal(comment)}")
    for name, _, col_comment in columns:
        if col_comment:
            cur.execute(f"comment on column {target}.{_ident(table)}.{_ident(name)} is {_literal(col_comment)}")
    return rows


def publish_to_postgres(
    served_db: Path,
    url: str,
    publish_id: str,
    *,
    schema: str = DEFAULT_SCHEMA,
    keep: int = KEEP_PREVIOUS,
    switch_timeout_s: float = 120.0,
) -> PostgresServeResult:
    """Copy every table of the served DuckDB file into PostgreSQL and swap it in as ``schema``."""
    started = time.perf_counter()
    suffix = _SAFE.sub("_", publish_id.lower())[:40]
    staged = f"{schema}__{suffix}"
    result = PostgresServeResult(url=redact(url), schema=schema, publish_id=publish_id)
    src = open_duckdb(served_db, "serving", read_only=True)
    pg = _connect(url)
    try:
        with pg.cursor() as cur:
            cur.execute(f"drop schema if exists {_ident(staged)} cascade")
            cur.execute(f"create schema {_ident(staged)}")
            for table, _ in _source_tables(src):
                result.tables[table] = _copy_table(src, cur, table, _ident(staged))
            cur.execute(
                f"create table {_ident(staged)}._publish (publish_id text, published_at timestamptz, "
                "table_name text, row_count bigint)"
            )
            now = datetime.now(UTC)
            cur.executemany(
                f"insert into {_ident(staged)}._publish values (%s, %s, %s, %s)",
                [(publish_id, now, name, rows) for name, rows in result.tables.items()],
            )
            cur.execute(
                f"comment on schema {_ident(staged)} is "
                f"{_literal(f'published {now.isoformat()}; gongkai serving snapshot {publish_id}')}"
            )
        pg.commit()  # the staged schema is complete before anything points at it
        _switch(pg, schema, staged, suffix, switch_timeout_s)
        result.dropped = _drop_old(pg, schema, keep)
    finally:
        src.close()
        pg.close()
    result.elapsed_s = round(time.perf_counter() - started, 3)
    return result


def _switch(pg, schema: str, staged: str, suffix: str, timeout_s: float) -> None:
    """Make ``staged`` the current ``schema`` in one transaction.

    PostgreSQL resolves the tables of one statement one after another, so a bare rename committed
    between two lookups would let that statement read one table of each snapshot. The switch
    therefore first takes ACCESS EXCLUSIVE locks on every current table: statements already
    reading them finish first, and statements that start meanwhile wait and then resolve every
    name against the new schema. The locks are tried with a short timeout (well under the deadlock
    detector's) and retried, so a reader is never the victim of a deadlock."""
    import psycopg2

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with pg.cursor() as cur:
                cur.execute("set local lock_timeout = '200ms'")
                cur.execute("select 1 from pg_namespace where nspname = %s", (schema,))
                if cur.fetchone():
                    cur.execute(
                        "select quote_ident(table_name) from information_schema.tables "
                        "where table_schema = %s order by 1",
                        (schema,),
                    )
                    current = [f"{_ident(schema)}.{r[0]}" for r in cur.fetchall()]
                    if current:
                        cur.execute(f"lock table {', '.join(current)} in access exclusive mode")
                    old = f"old_{suffix}"
                    cur.execute("select to_regclass(%s)", (f"{_ident(schema)}._publish",))
                    if cur.fetchone()[0]:
                        cur.execute(f"select min(publish_id) from {_ident(schema)}._publish")
                        old = _SAFE.sub("_", str(cur.fetchone()[0] or old).lower())[:40]
                    cur.execute(f"alter schema {_ident(schema)} rename to {_ident(f'{schema}__prev_{old}')}")
                cur.execute(f"alter schema {_ident(staged)} rename to {_ident(schema)}")
            pg.commit()
            return
        except psycopg2.errors.LockNotAvailable:
            pg.rollback()
            if time.monotonic() > deadline:
                raise UserError(
                    f"PostgreSQL serving target: readers kept {schema} busy for {timeout_s:.0f} s; "
                    f"the new snapshot waits in schema {staged} (the next publish retries)"
                ) from None
            time.sleep(0.05)


def _drop_old(pg, schema: str, keep: int) -> list[str]:
    """Drop previous snapshots beyond ``keep`` (oldest first) and abandoned staged schemas; a schema
    that a running query still reads is left for the next publish (short lock timeout)."""
    import psycopg2

    with pg.cursor() as cur:
        cur.execute(
            "select nspname from pg_namespace n left join pg_description d "
            "on d.objoid = n.oid and d.classoid = 'pg_namespace'::regclass "
            "where nspname like %s order by d.description desc nulls last",
            (f"{schema}\\_\\_%",),
        )
        names = [r[0] for r in cur.fetchall()]
    previous = [n for n in names if n.startswith(f"{schema}__prev_")]
    staged = [n for n in names if not n.startswith(f"{schema}__prev_")]
    dropped = []
    for name in previous[keep:] + staged:
        try:
            with pg.cursor() as cur:
                cur.execute("set local lock_timeout = '2s'")
                cur.execute(f"drop schema {_ident(name)} cascade")
            pg.commit()
            dropped.append(name)
        except psycopg2.errors.LockNotAvailable:
            pg.rollback()
    return dropped
