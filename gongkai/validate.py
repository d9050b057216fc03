"""The integrity gate: run the Great Expectations suites (``expectations/``) on the staging DuckDB
and the warehouse, the per-document checks beside them, store the run (JSON under
``settings.validation_dir`` and rows in the warehouse tables ``main.validation_runs`` /
``main.validation_results``, the last ``KEEP_RUNS`` runs) and render offline Data Docs.

``success`` is False when any *blocking* expectation fails; *warnings* never change it. A document
failing a per-document check (``expectations.suites.documents``) is listed in ``quarantined``, with
its reasons, and publishing leaves it out; when more documents fail than the quarantine limit
allows (``quarantine_share`` of the reports, at least ``QUARANTINE_MIN``), the damage is table-wide and blocks.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from expectations import scope
from gongkai.config import Settings
from gongkai.database import as_damaged, attach_staging, open_duckdb, sql_string
from gongkai.parquet_export import ParquetStage, warehouse_stamp

NO_PROGRESS_BAR = "set enable_progress_bar = false"
KEEP_RUNS = 30  # validation runs kept in the warehouse tables (every run stays in its JSON file)
QUARANTINE_SHARE = 0.05  # documents that may fail per-document checks before the damage is table-wide
QUARANTINE_MIN = 3  # ... and at least this many (a small warehouse)
CEILINGS_SEED = (
    "indicator_ceilings"  # dbt_project/seeds/indicator_ceilings.csv: indicator_code, ceiling, basis
)

RUNS_DDL = """
create table if not exists main.validation_runs (
    run_id varchar primary key, started_at timestamp, finished_at timestamp, success boolean,
    blocking_failed integer, warnings integer, expectations integer, elapsed_s double,
    results_path varchar, data_docs_path varchar)
"""
# columns added since the table was first made (a warehouse built before them gains them)
RUNS_ADDED = ("scope varchar", "scope_documents bigint")
RESULTS_ADDED = ("carried_from varchar",)
RESULTS_DDL = """
create table if not exists main.validation_results (
    run_id varchar, suite varchar, family varchar, table_name varchar, expectation varchar,
    column_name varchar, severity varchar, rule varchar, success boolean, element_count bigint,
    unexpected_count bigint, sample json, error varchar)
"""


@dataclass
class ValidationResult:
    """One gate run. ``summary``: one row per suite; ``failures``: every failing expectation;
    ``quarantined``: every document left out of the publish ({document_id, version, reasons})."""

    success: bool
    blocking_failed: int
    warnings: int
    run_id: str
    results_path: str
    data_docs_path: str
    expectations: int = 0
    elapsed_s: float = 0.0
    started_at: str = ""
    summary: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    recorded_in_warehouse: bool = False
    error: str | None = None
    # Parquet files staged while validating (``stage_parquet``), for ``publish`` to swap in; the
    # warehouse file's identity after the run (publish trusts the verdict only if it is unchanged)
    parquet_candidate: str = ""
    parquet_staged_s: float = 0.0
    parquet_not_staged: str = ""
    warehouse_stamp: str = ""
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    # full | delta, why, and how many documents a delta gate validated (expectations.scope)
    scope: dict[str, Any] = field(default_factory=dict)
    damaged: str | None = None  # a damaged database file a suite met (``gongkai.database``): exit 6


def _summary(outcomes: list[Any], runs: list[Any]) -> list[dict[str, Any]]:
    rows = []
    for run in runs:
        mine = [o for o in outcomes if o.suite == run.suite]
        rows.append(
            {
                "suite": run.suite,
                "family": run.family,
                "table": run.table,
                "rows": run.rows,
                "frame_rows": run.frame_rows,
                "chunks": run.chunks,
                "seconds": run.seconds,
                "expectations": len(mine),
                "blocking_failed": sum(1 for o in mine if not o.success and o.severity == "blocking"),
                "warnings": sum(1 for o in mine if not o.success and o.severity == "warning"),
                "error": run.error,
                "carried_from": run.carried_from,
            }
        )
    return rows


def _record(
    settings: Settings, result: ValidationResult, outcomes: list[dict[str, Any]], finished: datetime
) -> None:
    """Append the run to the warehouse tables, keeping the last ``KEEP_RUNS`` runs."""
    from gongkai.config import WAREHOUSE_DUCKDB_CONFIG

    with open_duckdb(settings.warehouse_db, "warehouse", config=WAREHOUSE_DUCKDB_CONFIG) as con:
        con.execute(NO_PROGRESS_BAR)
        con.execute(RUNS_DDL)
        for column in RUNS_ADDED:
            con.execute(f"alter table main.validation_runs add column if not exists {column}")
        con.execute(RESULTS_DDL)
        for column in RESULTS_ADDED:
            con.execute(f"alter table main.validation_results add column if not exists {column}")
        con.execute("begin")
        con.execute(
            "insert into main.validation_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                result.run_id,
                datetime.fromisoformat(result.started_at).replace(tzinfo=None),
                finished.replace(tzinfo=None),
                result.success,
                result.blocking_failed,
                result.warnings,
                result.expectations,
                result.elapsed_s,
                result.results_path,
                result.data_docs_path,
                result.scope.get("mode", "full"),
                result.scope.get("documents"),
            ],
        )
        columns = ("suite", "family", "table", "expectation", "column", "severity", "rule", "success")
        con.executemany(
            "insert into main.validation_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    result.run_id,
                    *(o[c] for c in columns),
                    o["element_count"],
                    o["unexpected_count"],
                    json.dumps(o["sample"], ensure_ascii=False, default=str),
                    o["error"],
                    o.get("carried_from"),
                ]
                for o in outcomes
            ],
        )
        con.execute(
            "delete from main.validation_runs where run_id not in"
            " (select run_id from main.validation_runs order by started_at desc, run_id desc limit ?)",
            [KEEP_RUNS],
        )
        con.execute(
            "delete from main.validation_results where run_id not in (select run_id from main.validation_runs)"
        )
        con.execute("commit")


def _ceilings_sql(con: Any, settings: Settings) -> str:
    """SQL of (indicator, ceiling) from the ceilings seed: the warehouse's copy, else the CSV file."""
    try:
        con.execute(f"select indicator_code, ceiling from seeds.{CEILINGS_SEED} limit 0")
        return f"select indicator_code as indicator, cast(ceiling as double) as ceiling from seeds.{CEILINGS_SEED}"
    except Exception:  # not built (yet): read the seed file itself
        pass
    csv = settings.dbt_project_dir / "seeds" / f"{CEILINGS_SEED}.csv"
    if not csv.exists():
        return ""
    return (
        "select cast(indicator_code as varchar) as indicator, cast(ceiling as double) as ceiling"
        f" from read_csv({sql_string(csv)}, header = true, all_varchar = true)"
    )


def gate_params(con: Any, settings: Settings, yoy_factor: float | None = None) -> Any:
    """The suites' parameters for this warehouse: the dbt contracts of the marts, the indicator
    ceilings and mart_agency_year's indicator columns."""
    from expectations.contracts import mart_rules
    from expectations.suites import GateParams

    try:
        pivot = tuple(
            name
            for (name,) in con.execute(
                "select column_name from duckdb_columns() where schema_name = 'main'"
                " and table_name = 'mart_agency_year'"
                " and column_name in (select indicator from main.dim_indicator) order by column_index"
            ).fetchall()
        )
    except Exception:  # a missing table fails its own suite
        pivot = ()
    recorded = {
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'build_state'"
        ).fetchall()
    }
    return GateParams(
        build_started="invocations" if "invocations" in recorded else "slice_info",
        yoy_factor=yoy_factor or settings.yoy_factor,
        mart_rules=mart_rules(settings.dbt_project_dir),
        ceilings_sql=_ceilings_sql(con, settings),
        agency_year_indicators=pivot,
    )


def _document_outcome(quarantined: list[dict[str, Any]], reports: int, limit: int, error: str | None) -> dict:
    """The per-document checks as one outcome row: a warning when the failing documents are
    quarantined, blocking when they are too many (or the checks could not run)."""
    table_wide = error is not None or len(quarantined) > limit
    return {
        "suite": "documents_quarantined",
        "family": "documents",
        "table": "fct_indicator_value+marts",
        "expectation": "document_passes_per_document_checks",
        "column": "document_id",
        "severity": "blocking" if table_wide else "warning",
        "rule": (
            f"documents failing per-document checks: at most {limit} are quarantined, more block"
            " (facts = staged cells, counts plausible, marts = facts)"
        ),
        "success": not quarantined and error is None,
        "element_count": reports,
        "unexpected_count": len(quarantined),
        "sample": [f"{q['document_id']}: {q['reasons']}"[:300] for q in quarantined[:10]],
        "error": error,
    }


def _check_documents(con: Any, params: Any, share: float) -> tuple[list[dict[str, Any]], dict, int]:
    """Run the per-document checks: (quarantined documents, their outcome row, the limit)."""
    from expectations.suites.documents import problems_sql

    error, quarantined, reports = None, [], 0
    try:
        reports = int(con.execute("select count(distinct document_id) from main.dim_report").fetchone()[0])
        rows = con.execute(problems_sql(params)).fetchall()
        quarantined = [{"document_id": d, "version": v, "problems": n, "reasons": r} for d, v, n, r in rows]
    except Exception as exc:  # a missing table: the structural suites name it too
        error = f"{type(exc).__name__}: {exc}"[:2000]
    limit = max(QUARANTINE_MIN, math.floor(share * reports))
    return quarantined, _document_outcome(quarantined, reports, limit, error), limit


def _state_dir(settings: Settings) -> Path:
    return settings.validation_dir / "state"


def _choose_scope(
    con: Any, scratch: Path, settings: Settings, params: Any, quarantine_share: float, full: bool
) -> tuple[str, Any, Future[None] | None]:
    """(digest of today's verdict inputs, the scope, the fingerprinting still running): delta when
    only document rows changed since the last gate that passed. A full gate fingerprints in the
    background, for the state it leaves (DuckDB hashes while GX validates). Fingerprints that cannot
    be made: a full gate that leaves no state."""
    import expectations

    relationships = {name: dict(rules.relationships) for name, rules in params.mart_rules.items()}
    try:
        scope.start(con, scratch)
        code = scope.code_digest([*Path(expectations.__file__).parent.rglob("*.py"), Path(__file__)])
        described = {k: v for k, v in dataclasses.asdict(params).items() if k != "scope"}
        described["quarantine_share"] = quarantine_share
        digest = scope.verdict_digest(con, described, code)
        allow = not (full or settings.gate_full)
        reason = scope.full_reason(_state_dir(settings), digest, allow_delta=allow)
        if reason is not None:
            pool = ThreadPoolExecutor(max_workers=1)
            job = pool.submit(scope.fingerprint, con.cursor(), relationships)
            pool.shutdown(wait=False)
            return digest, scope.Scope(reason=reason), job
        scope.fingerprint(con, relationships)
    except Exception as exc:  # e.g. no space for the scratch file: validate every row
        return "", scope.Scope(reason=f"no fingerprints ({type(exc).__name__}: {exc})"[:300]), None
    try:
        return digest, scope.decide(con, _state_dir(settings), digest, relationships, allow_delta=True), None
    except Exception as exc:  # an unreadable state: validate every row (and leave a new state)
        why = f"the last state could not be compared ({type(exc).__name__}: {exc})"[:300]
        return digest, scope.Scope(reason=why), None


def _new_result(settings: Settings, data_docs: bool) -> ValidationResult:
    started = datetime.now(UTC)
    run_id = started.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    docs = settings.validation_dir / "data_docs" / "index.html"
    return ValidationResult(
        success=False,
        blocking_failed=0,
        warnings=0,
        run_id=run_id,
        results_path=str(settings.validation_dir / "runs" / f"{run_id}.json"),
        data_docs_path=str(docs) if data_docs else "",
        started_at=started.isoformat(),
    )


def _run_gate(
    settings: Settings,
    result: ValidationResult,
    *,
    yoy_factor: float | None,
    chunk_rows: int,
    data_docs: bool,
    stage: ParquetStage | None,
    quarantine_share: float,
    full: bool = False,
) -> tuple[list[dict[str, Any]], Any]:
    """Validate the warehouse into ``result``; returns the outcome rows and the suites' parameters."""
    from expectations.checkpoint import carried, run_checkpoint
    from expectations.suites import all_suites

    docs_dir = settings.validation_dir / "data_docs"
    # no progress bar: DuckDB enables it by default and it roughly doubles the gate's CPU time
    con = open_duckdb(settings.warehouse_db, "warehouse", read_only=True)
    scratch = settings.validation_dir / f".gate-{result.run_id}.duckdb"  # fingerprints, delta relations
    fingerprinting: Future[None] | None = None
    con.execute(NO_PROGRESS_BAR)
    try:
        if settings.staging_db.exists():
            attach_staging(con, settings.staging_db)
        params = gate_params(con, settings, yoy_factor)
        digest, chosen, fingerprinting = _choose_scope(con, scratch, settings, params, quarantine_share, full)
        params = dataclasses.replace(params, scope=chosen)
        result.scope = params.scope.as_dict()
        quarantined, documents, _ = _check_documents(con, params, quarantine_share)
        suites = all_suites(params)
        kept, kept_runs = carried(
            [s for s in suites if params.scope.carries(s.reads)],
            params.scope.last_results,
            params.scope.last_run,
        )
        found, runs = run_checkpoint(
            con,
            [s for s in suites if s.name not in {o.suite for o in kept}],
            run_name=result.run_id,
            chunk_rows=chunk_rows,
            data_docs_dir=docs_dir if data_docs else None,
        )
        found, runs = [*kept, *found], [*kept_runs, *runs]
        passed = found and not any(o.severity == "blocking" and not o.success for o in found)
        if fingerprinting is not None:
            try:
                fingerprinting.result()
            except Exception:  # no state left: the next gate is full
                digest = ""
        if digest and passed and documents["severity"] != "blocking":  # the next gate compares with this
            quarantined_ids = [q["document_id"] for q in quarantined]
            scope.save(con, _state_dir(settings), result.run_id, digest, quarantined_ids, result.results_path)
    except BaseException:
        if stage is not None:
            stage.finish(keep=False)
        raise
    finally:
        if fingerprinting is not None:  # never close the connection under a running query
            wait([fingerprinting])
        scope.stop(con, scratch)
        con.close()
    if data_docs and not (docs_dir / "index.html").exists():
        result.data_docs_path = ""
    outcomes = [*(o.as_row() for o in found), documents]
    result.expectations = len(outcomes)
    result.blocking_failed = sum(1 for o in outcomes if not o["success"] and o["severity"] == "blocking")
    result.warnings = sum(1 for o in outcomes if not o["success"] and o["severity"] == "warning")
    result.summary = _summary(found, runs) + [
        {
            "suite": "documents_quarantined",
            "family": "documents",
            "table": documents["table"],
            "rows": documents["element_count"],
            "frame_rows": len(quarantined),
            "chunks": 0,
            "seconds": 0.0,
            "expectations": 1,
            "blocking_failed": int(documents["severity"] == "blocking" and not documents["success"]),
            "warnings": int(documents["severity"] == "warning" and not documents["success"]),
            "error": documents["error"],
        }
    ]
    result.failures = [o for o in outcomes if not o["success"]]
    result.quarantined = quarantined
    if stage is not None:  # before the run is recorded (that write needs the file to itself); kept
        # only when the gate passes without quarantine: the staged files hold every document
        keep = bool(found) and result.blocking_failed == 0 and not quarantined
        result.parquet_candidate, result.parquet_not_staged = stage.finish(keep=keep)
        result.parquet_staged_s = stage.seconds
    return outcomes, params


def _store(
    settings: Settings, result: ValidationResult, outcomes: list[dict], params: Any, record: bool
) -> None:
    """Record the run in the warehouse (``record``), stamp the warehouse, write the JSON file."""
    finished = datetime.now(UTC)
    if record and settings.warehouse_db.exists():
        try:
            _record(settings, result, outcomes, finished)
            result.recorded_in_warehouse = True
        except Exception as exc:  # the run is still in the JSON file; say why the table has no row
            result.error = (result.error or "") + f" not recorded in the warehouse: {exc}"
    if settings.warehouse_db.exists():
        result.warehouse_stamp = warehouse_stamp(settings.warehouse_db)
    path = Path(result.results_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    gate = {k: v for k, v in asdict(params).items() if k != "mart_rules"} if params is not None else {}
    payload = {**asdict(result), "finished_at": finished.isoformat(), "params": gate, "results": outcomes}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, path)


def _damaged_file(settings: Settings, result: ValidationResult) -> str | None:
    """The damaged database file a suite's error names (a file that opened but failed a read), or None."""
    files = {"staging": settings.staging_db, "warehouse": settings.warehouse_db}
    for row in result.summary:
        damaged = as_damaged(Exception(row.get("error") or ""), files)
        if damaged is not None:
            return str(damaged)
    return None


def run_validation(
    settings: Settings,
    *,
    yoy_factor: float | None = None,
    chunk_rows: int | None = None,
    data_docs: bool = True,
    record: bool = True,
    stage_parquet: bool = False,
    quarantine_share: float = QUARANTINE_SHARE,
    full: bool = False,
) -> ValidationResult:
    """Run every suite and the per-document checks; store the run; never raises on bad data (a
    failure is a row with a reason).

    ``yoy_factor`` (default ``settings.yoy_factor``, env ``GONGKAI_YOY_FACTOR``) is the
    year-over-year change beyond which a warning is raised. ``stage_parquet``: write the Parquet
    files of the warehouse while the suites run (``gongkai.parquet_export.ParquetStage``), kept for
    ``publish`` only when the gate passes with nothing quarantined.

    Scope (``expectations.scope``): when only document rows changed since the last gate that passed,
    the gate validates those documents (plus the small tables and the counts across the layers
    whole), with the verdict a full gate would give; ``full`` (or ``settings.gate_full``) validates
    every row. ``result.scope`` says which and why.
    """
    t0 = time.perf_counter()
    settings.ensure_dirs()
    result = _new_result(settings, data_docs)
    outcomes: list[dict[str, Any]] = []
    params = None
    if not settings.warehouse_db.exists():
        result.error = f"warehouse not found: {settings.warehouse_db} (run `gongkai build` first)"
        result.blocking_failed = 1
        result.data_docs_path = ""
    else:
        stage = ParquetStage(settings, result.run_id) if stage_parquet else None
        outcomes, params = _run_gate(
            settings,
            result,
            yoy_factor=yoy_factor,
            chunk_rows=int(chunk_rows or settings.gate_chunk_rows),
            data_docs=data_docs,
            stage=stage,
            quarantine_share=quarantine_share,
            full=full,
        )
        result.damaged = _damaged_file(settings, result)
        if result.damaged:
            result.error = result.damaged + (f"; {result.error}" if result.error else "")
    result.success = result.blocking_failed == 0 and result.error is None
    result.elapsed_s = round(time.perf_counter() - t0, 2)
    _store(settings, result, outcomes, params, record)
    return result
