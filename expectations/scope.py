"""The gate's scope: every row (``full``), or only what changed since the last gate that passed
(``delta``), with the same verdict.

A gate without a blocking failure leaves a *state* in ``<validation_dir>/state/``:

- per table the per-document and large-table checks read (``FINGERPRINTED``), one fingerprint per
  document: its row count and the XOR of a 64-bit hash of each whole row;
- the key hashes of every dimension a large table points to (``PARENTS``);
- a digest of everything else a verdict depends on: the suites' code, their parameters, every
  table's columns, and the document-less tables the checks read (indicator units, ceilings);
- the documents it quarantined.

The next gate computes the same fingerprints (one hash aggregate per table) and compares. When only
document rows changed, it validates **delta**: the documents D whose rows changed in any fingerprinted
table — whatever changed them, the build slice or damage outside it —, the documents whose rows point
at a dimension key that is gone, the documents quarantined last time, closed over agency-years (the
marts choose one report per agency-year, so every report of a touched agency-year is in D). The large
tables (``DELTA_TABLES``) are validated on D's rows, copied into the in-memory database
``gate_delta``; a key of theirs that does not name its document is checked for uniqueness against the
whole table; the small tables, the counts across the layers and the build check are validated whole.
Every row outside D is a row the last gate passed, unchanged, under the same rules: pass or block and
the quarantined documents are what a full gate would say. Warnings count D's rows only (the marts
themselves list every row). Anything else changed, or no state: a full gate, with the reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gongkai.database import sql_string

DELTA_DB = "gate_delta"
# large tables, validated on the changed documents' rows in a delta gate
DELTA_TABLES = (
    "staging.main.parsed_cells",
    "staging.main.parse_checks",
    "main.fct_indicator_value",
    "main.mart_indicator_series",
    "main.mart_identity_audit",
)
# tables fingerprinted per document: the large ones and the small ones the per-document checks join
FINGERPRINTED = (*DELTA_TABLES, "main.dim_report", "main.mart_agency_year")
# document-less tables the checks of the large tables read (units of counts; ceilings): any change → full
READ_WHOLE = ("main.dim_indicator", "seeds.indicator_ceilings")
STATE_FILE = "gate_state.json"
STALE_SCRATCH_S = 6 * 3600  # a gate's scratch database older than this was left by a killed gate
DELTA_MAX_SHARE = 0.5  # more documents changed than this share of the reports: a full gate


@dataclass(frozen=True)
class Scope:
    """What a gate validates. ``relations`` maps a large table to the relation holding D's rows."""

    mode: str = "full"  # full | delta
    reason: str = "no earlier gate to compare with"
    documents: int = 0  # |D| in a delta gate
    changed: int = 0  # documents whose rows changed (before quarantined and agency-year closure)
    relations: dict[str, str] = field(default_factory=dict)
    # tables whose every row is as the last gate that passed saw it; its outcomes (JSON) and run
    unchanged: frozenset[str] = frozenset()
    last_results: str = ""
    last_run: str = ""

    @property
    def delta(self) -> bool:
        return self.mode == "delta"

    def rel(self, table: str) -> str:
        """The relation to validate ``table`` on: D's copy in a delta gate, else the table."""
        return self.relations.get(table, table)

    def docs(self) -> str:
        """SQL of D's document ids (``document_id``), or every document in a full gate."""
        if self.delta:
            return f"select document_id from {DELTA_DB}.docs"
        return "select document_id from main.dim_report"

    def carries(self, reads: tuple[str, ...]) -> bool:
        """Whether a suite reading ``reads`` keeps the last gate's outcome (every table unchanged)."""
        return self.delta and bool(reads) and all(table in self.unchanged for table in reads)

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "reason": self.reason,
            "documents": self.documents,
            "changed": self.changed,
        }


FULL = Scope()


def _name(table: str) -> str:
    return table.replace(".", "__")


def _exists(con: Any, table: str) -> bool:
    parts = table.split(".")
    catalog, schema, name = parts if len(parts) == 3 else ["", *parts]
    sql = "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?"
    args = [schema, name]
    if catalog:
        sql += " and database_name = ?"
        args.append(catalog)
    else:
        sql += " and database_name = current_database()"
    return bool(con.execute(sql, args).fetchone()[0])


def code_digest(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def verdict_digest(con: Any, params: dict[str, Any], code: str) -> str:
    """Digest of what decides a verdict besides the document rows: code, parameters, every table's
    columns (warehouse ``main`` and ``seeds``, staging ``main``), the document-less tables read."""
    columns = con.execute(
        "select database_name, schema_name, table_name, column_name, data_type from duckdb_columns()"
        " where schema_name in ('main', 'seeds') and table_name not like 'validation_%'"
        " and database_name not in ('temp', 'system', ?) order by all",
        [DELTA_DB],
    ).fetchall()
    whole = []
    for table in READ_WHOLE:
        if _exists(con, table):
            whole.append(con.execute(f"select count(*), sum(hash(t)::hugeint) from {table} as t").fetchone())
        else:
            whole.append(None)
    import duckdb  # its hash() makes the fingerprints: another version, other fingerprints

    payload = json.dumps([code, params, columns, whole, duckdb.__version__], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


# tables without a document_id: the column naming the report their rows belong to (``dim_report.key``)
_REPORT_KEYED = {"main.mart_indicator_series": "report_key"}


def _fingerprint_sql(con: Any) -> str:
    """One row per (table, document): rows and the XOR of a 64-bit hash of each whole row (a row
    doubled changes the count, a row changed the hash). A report-keyed table is aggregated per report
    first and named after dim_report's document (``?<report_key>`` when the report is not there)."""
    parts = []
    for table in FINGERPRINTED:
        if not _exists(con, table):
            continue
        report_key = _REPORT_KEYED.get(table)
        if report_key is None:
            parts.append(
                f"select '{table}' as tbl, coalesce(t.document_id, '') as document_id, count(*) as n,"
                f" bit_xor(hash(t)) as h from {table} as t group by all"
            )
        else:
            parts.append(
                f"select '{table}' as tbl, coalesce(r.document_id, '?' || coalesce(a.k, '')) as document_id,"
                f" sum(a.n)::bigint as n, bit_xor(a.h) as h"
                f" from (select t.{report_key} as k, count(*) as n, bit_xor(hash(t)) as h from {table} as t"
                f" group by all) as a left join main.dim_report as r on r.key = a.k group by all"
            )
    # every other table a suite reads, whole (document '*'): a suite on unchanged tables is carried
    others = con.execute(
        "select database_name, schema_name, table_name from duckdb_tables()"
        " where schema_name in ('main', 'seeds') and table_name not like 'validation_%'"
        " and database_name not in ('temp', 'system', ?) order by all",
        [DELTA_DB],
    ).fetchall()
    current = con.execute("select current_database()").fetchone()[0]
    for database, schema, name in others:
        table = f"{schema}.{name}" if database == current else f"{database}.{schema}.{name}"
        if table not in FINGERPRINTED:
            parts.append(
                f"select '{table}' as tbl, '*' as document_id, count(*) as n, bit_xor(hash(t)) as h"
                f' from {database}.{schema}."{name}" as t'
            )
    return " union all ".join(parts) or (
        "select null::varchar as tbl, null::varchar as document_id, 0::bigint as n, 0::ubigint as h where false"
    )


def _document_of(table: str) -> str:
    """SQL of the document a row of ``table`` (alias ``t``, joined by :func:`_report_join`) belongs to."""
    if table in _REPORT_KEYED:
        return f"coalesce(r.document_id, '?' || coalesce(t.{_REPORT_KEYED[table]}, ''))"
    return "coalesce(t.document_id, '')"


def _report_join(table: str) -> str:
    if table in _REPORT_KEYED:
        return f"left join main.dim_report as r on r.key = t.{_REPORT_KEYED[table]}"
    return ""


def _rows_of_docs(table: str) -> str:
    """SQL: the rows of ``table`` (alias ``t``) that belong to D."""
    return (
        f"select t.* from {table} as t {_report_join(table)}"
        f" where {_document_of(table)} in (select document_id from {DELTA_DB}.docs)"
    )


def _parents(params_relationships: dict[str, dict[str, str]]) -> list[tuple[str, str, str]]:
    """(large table, its column, parent table) for every foreign key of a large mart."""
    found = []
    for table in DELTA_TABLES:
        schema, name = table.rsplit(".", 1)
        for column, parent in params_relationships.get(name, {}).items():
            if schema == "main":
                found.append((table, column, f"main.{parent}"))
    return found


def _key_sql(con: Any, parents: list[tuple[str, str, str]]) -> str:
    tables = sorted({p for _, _, p in parents if _exists(con, p)})
    parts = [f"select '{p}' as tbl, hash(key) as h from {p} where key is not null" for p in tables]
    return " union all ".join(parts) or "select null::varchar as tbl, 0::ubigint as h where false"


def start(con: Any, scratch: Path) -> None:
    """Attach the scratch database the fingerprints and delta relations live in (a file: the gate's
    connection is read-only; attached, it is shared by every cursor of ``con``). Scratch files of
    gates killed more than ``STALE_SCRATCH_S`` ago are removed."""
    import time

    for old in scratch.parent.glob(".gate-*.duckdb*"):
        try:
            if time.time() - old.stat().st_mtime > STALE_SCRATCH_S:
                old.unlink()
        except OSError:  # removed meanwhile
            pass
    scratch.unlink(missing_ok=True)
    con.execute(f"attach {sql_string(str(scratch))} as {DELTA_DB} (read_write)")


def stop(con: Any, scratch: Path) -> None:
    """Detach and delete the scratch database."""
    try:
        con.execute(f"detach {DELTA_DB}")
    except Exception:  # not attached (the gate failed before)
        pass
    scratch.unlink(missing_ok=True)
    Path(f"{scratch}.wal").unlink(missing_ok=True)


def fingerprint(con: Any, relationships: dict[str, dict[str, str]]) -> None:
    """Today's fingerprints and dimension keys into ``gate_delta.fingerprints`` / ``gate_delta.keys``."""
    con.execute(f"create or replace table {DELTA_DB}.fingerprints as {_fingerprint_sql(con)}")
    con.execute(f"create or replace table {DELTA_DB}.keys as {_key_sql(con, _parents(relationships))}")


def _load_state(state_dir: Path) -> dict[str, Any] | None:
    try:
        state = json.loads((state_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for key in ("fingerprints", "keys"):
        if not (state_dir / str(state.get(key, ""))).is_file():
            return None
    return state


def full_reason(state_dir: Path, digest: str, *, allow_delta: bool) -> str | None:
    """Why this gate must read every row before any fingerprint is compared, or None."""
    if not allow_delta:
        return "a full gate was asked for"
    state = _load_state(state_dir)
    if state is None:
        return FULL.reason
    if state.get("digest") != digest:
        return "the suites, their parameters, a table's columns, indicator units or ceilings changed"
    return None


def decide(
    con: Any, state_dir: Path, digest: str, relationships: dict[str, dict[str, str]], *, allow_delta: bool
) -> Scope:
    """Compare today's fingerprints (:func:`fingerprint`) with the state of the last gate that
    passed: a delta scope (D copied into ``gate_delta``) when only document rows changed, else full
    with the reason."""
    reason = full_reason(state_dir, digest, allow_delta=allow_delta)
    if reason is not None:
        return Scope(reason=reason)
    state = _load_state(state_dir) or {}
    prints = sql_string(str(state_dir / state["fingerprints"]))
    keys = sql_string(str(state_dir / state["keys"]))
    con.execute(
        f"create or replace table {DELTA_DB}.changed as"
        f" select distinct coalesce(a.document_id, b.document_id) as document_id"
        f" from {DELTA_DB}.fingerprints as a full join read_parquet({prints}) as b"
        "   on a.tbl = b.tbl and a.document_id = b.document_id"
        " where (a.n is distinct from b.n or a.h is distinct from b.h)"
        "   and coalesce(a.document_id, b.document_id) <> '*'"
    )
    # documents whose rows point at a dimension key that is gone (a key the last gate saw resolve)
    lost = con.execute(
        f"select tbl, h from read_parquet({keys}) except select tbl, h from {DELTA_DB}.keys"
    ).fetchall()
    pointing = []
    for table, column, parent in _parents(relationships):
        hashes = [h for t, h in lost if t == parent]
        if hashes and _exists(con, table):
            pointing.append(
                f"select {_document_of(table)} as document_id from {table} as t {_report_join(table)}"
                f" where hash(t.{column}) in ({', '.join(str(int(h)) for h in hashes)})"
            )
    quarantined = [str(q) for q in state.get("quarantined", [])]
    con.execute(f"create or replace table {DELTA_DB}.quarantined (document_id varchar)")
    if quarantined:
        con.executemany(f"insert into {DELTA_DB}.quarantined values (?)", [[q] for q in quarantined])
    seeds = " union ".join(
        [
            f"select document_id from {DELTA_DB}.changed",
            f"select document_id from {DELTA_DB}.quarantined",
            *pointing,
        ]
    )
    ay = "select agency_code, report_year from {t} where document_id in (select document_id from seed)"
    closure = [ay.format(t=t) for t in ("main.dim_report", "main.mart_agency_year") if _exists(con, t)]
    closed = (
        f" union select r.document_id from main.dim_report as r semi join ({' union '.join(closure)}) as a"
        " on a.agency_code is not distinct from r.agency_code and a.report_year is not distinct from r.report_year"
        if closure
        else ""
    )
    con.execute(
        f"create or replace table {DELTA_DB}.docs as with seed as ({seeds})"
        f" select document_id from seed{closed}"
    )
    changed = int(con.execute(f"select count(*) from {DELTA_DB}.changed").fetchone()[0])
    documents = int(con.execute(f"select count(*) from {DELTA_DB}.docs").fetchone()[0])
    reports = (
        int(con.execute("select count(*) from main.dim_report").fetchone()[0])
        if _exists(con, "main.dim_report")
        else 0
    )
    if documents > DELTA_MAX_SHARE * max(reports, 1):  # copying most rows costs more than reading them
        return Scope(reason=f"{documents} of {reports} documents changed since gate {state.get('run_id')}")
    relations = {}
    for table in DELTA_TABLES:
        if _exists(con, table):
            copy = f"{DELTA_DB}.{_name(table)}"
            con.execute(f"create or replace table {copy} as {_rows_of_docs(table)}")
            relations[table] = copy
    unchanged = frozenset(
        table
        for (table,) in con.execute(
            f"select tbl from {DELTA_DB}.fingerprints group by tbl except"
            f" select coalesce(a.tbl, b.tbl) from {DELTA_DB}.fingerprints as a full join read_parquet({prints}) as b"
            "   on a.tbl = b.tbl and a.document_id = b.document_id"
            " where a.n is distinct from b.n or a.h is distinct from b.h"
        ).fetchall()
    )
    reason = f"{changed} document(s) changed since gate {state.get('run_id')}; {documents} validated"
    return Scope(
        "delta",
        reason,
        documents,
        changed,
        relations,
        unchanged,
        str(state.get("results_path", "")),
        str(state.get("run_id", "")),
    )


def save(
    con: Any, state_dir: Path, run_id: str, digest: str, quarantined: list[str], results_path: str
) -> None:
    """Keep today's fingerprints as the state the next gate compares with (after a gate without a
    blocking failure). The JSON file is replaced last and names its Parquet files."""
    state_dir.mkdir(parents=True, exist_ok=True)
    prints, keys = f"fingerprints-{run_id}.parquet", f"keys-{run_id}.parquet"
    con.execute(f"copy {DELTA_DB}.fingerprints to {sql_string(str(state_dir / prints))} (format parquet)")
    con.execute(f"copy {DELTA_DB}.keys to {sql_string(str(state_dir / keys))} (format parquet)")
    state = {
        "run_id": run_id,
        "digest": digest,
        "fingerprints": prints,
        "keys": keys,
        "quarantined": quarantined,
        "results_path": results_path,
    }
    tmp = state_dir / f"{STATE_FILE}.tmp"
    tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, state_dir / STATE_FILE)
    for path in state_dir.iterdir():  # the files of earlier states
        if path.name not in {STATE_FILE, prints, keys}:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
