"""The integrity gate: run the Great Expectations suites (``expectations/``) on the staging DuckDB
and the warehouse, store the run (JSON under ``settings.validation_dir`` and rows in the warehouse
tables ``main.validation_runs`` / ``main.validation_results``) and render offline Data Docs.

``success`` is False when any *blocking* expectation fails; *warnings* never change it.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gongkai.config import Settings
from gongkai.parquet_export import ParquetStage, warehouse_stamp

DEFAULT_YOY_FACTOR = 10.0
DEFAULT_CHUNK_ROWS = 2_000_000
NO_PROGRESS_BAR = "set enable_progress_bar = false"

RUNS_DDL = """
create table if not exists main.validation_runs (
    run_id varchar primary key, started_at timestamp, finished_at timestamp, success boolean,
    blocking_failed integer, warnings integer, expectations integer, elapsed_s double,
    results_path varchar, data_docs_path varchar)
"""
RESULTS_DDL = """
create table if not exists main.validation_results (
    run_id varchar, suite varchar, family varchar, table_name varchar, expectation varchar,
    column_name varchar, severity varchar, rule varchar, success boolean, element_count bigint,
    unexpected_count bigint, sample json, error varchar)
"""


@dataclass
class ValidationResult:
    """One gate run. ``summary``: one row per suite; ``failures``: every failing expectation."""

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
    # warehouse file's identity after the run (publish uses the files only if it is unchanged)
    parquet_candidate: str = ""
    parquet_staged_s: float = 0.0
    parquet_not_staged: str = ""
    warehouse_stamp: str = ""


def _setting(settings: Settings, name: str, env: str, default: float) -> float:
    value = settings.extra.get(name) or os.environ.get(env)
    return float(value) if value else default


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
            }
        )
    return rows


def _record(
    settings: Settings, result: ValidationResult, outcomes: list[dict[str, Any]], finished: datetime
) -> None:
    import duckdb

    from gongkai.config import WAREHOUSE_DUCKDB_CONFIG

    with duckdb.connect(str(settings.warehouse_db), config=WAREHOUSE_DUCKDB_CONFIG) as con:
        con.execute(NO_PROGRESS_BAR)
        con.execute(RUNS_DDL)
        con.execute(RESULTS_DDL)
        con.execute("begin")
        con.execute(
            "insert into main.validation_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            ],
        )
        con.executemany(
            "insert into main.validation_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    result.run_id,
                    o["suite"],
                    o["family"],
                    o["table"],
                    o["expectation"],
                    o["column"],
                    o["severity"],
                    o["rule"],
                    o["success"],
                    o["element_count"],
                    o["unexpected_count"],
                    json.dumps(o["sample"], ensure_ascii=False, default=str),
                    o["error"],
                ]
                for o in outcomes
            ],
        )
        con.execute("commit")


def run_validation(
    settings: Settings,
    *,
    yoy_factor: float | None = None,
    chunk_rows: int | None = None,
    data_docs: bool = True,
    record: bool = True,
    stage_parquet: bool = False,
) -> ValidationResult:
    """Run every suite; store the run; never raises on bad data (a failure is a row with a reason).

    ``yoy_factor`` (default ``settings.extra['yoy_factor']`` / env ``GONGKAI_YOY_FACTOR`` / 10) is the
    year-over-year change beyond which a warning is raised. ``stage_parquet``: write the Parquet
    files of the warehouse while the suites run (``gongkai.parquet_export.ParquetStage``), kept for
    ``publish`` only when the gate passes.
    """
    import duckdb

    from expectations.checkpoint import run_checkpoint
    from expectations.suites import GateParams, all_suites

    started = datetime.now(UTC)
    t0 = time.perf_counter()
    run_id = started.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    settings.ensure_dirs()
    results_path = settings.validation_dir / "runs" / f"{run_id}.json"
    docs_dir = settings.validation_dir / "data_docs"
    params = GateParams(
        yoy_factor=yoy_factor or _setting(settings, "yoy_factor", "GONGKAI_YOY_FACTOR", DEFAULT_YOY_FACTOR)
    )
    rows = int(
        chunk_rows or _setting(settings, "gate_chunk_rows", "GONGKAI_GATE_CHUNK_ROWS", DEFAULT_CHUNK_ROWS)
    )
    result = ValidationResult(
        success=False,
        blocking_failed=0,
        warnings=0,
        run_id=run_id,
        results_path=str(results_path),
        data_docs_path=str(docs_dir / "index.html") if data_docs else "",
        started_at=started.isoformat(),
    )
    outcomes: list[dict[str, Any]] = []
    if not settings.warehouse_db.exists():
        result.error = f"warehouse not found: {settings.warehouse_db} (run `gongkai build` first)"
        result.blocking_failed = 1
        result.data_docs_path = ""
    else:
        stage = ParquetStage(settings, run_id) if stage_parquet else None
        # no progress bar: DuckDB enables it by default and it roughly doubles the gate's CPU time
        con = duckdb.connect(str(settings.warehouse_db), read_only=True)
        con.execute(NO_PROGRESS_BAR)
        try:
            if settings.staging_db.exists():
                con.sql(f"attach '{settings.staging_db}' as staging (read_only)")
            found, runs = run_checkpoint(
                con,
                all_suites(params),
                run_name=run_id,
                chunk_rows=rows,
                data_docs_dir=docs_dir if data_docs else None,
            )
        except BaseException:
            if stage is not None:
                stage.finish(keep=False)
            raise
        finally:
            con.close()
        if data_docs and not (docs_dir / "index.html").exists():
            result.data_docs_path = ""
        outcomes = [o.as_row() for o in found]
        result.expectations = len(outcomes)
        result.blocking_failed = sum(1 for o in found if not o.success and o.severity == "blocking")
        result.warnings = sum(1 for o in found if not o.success and o.severity == "warning")
        result.summary = _summary(found, runs)
        result.failures = [o for o in outcomes if not o["success"]]
        if stage is not None:  # before the run is recorded (that write needs the file to itself); kept
            # only when the gate passes: a candidate that is never published is not left behind
            keep = bool(found) and result.blocking_failed == 0
            result.parquet_candidate, result.parquet_not_staged = stage.finish(keep=keep)
            result.parquet_staged_s = stage.seconds
    result.success = result.blocking_failed == 0 and result.error is None
    finished = datetime.now(UTC)
    result.elapsed_s = round(time.perf_counter() - t0, 2)
    if record and settings.warehouse_db.exists():
        try:
            _record(settings, result, outcomes, finished)
            result.recorded_in_warehouse = True
        except Exception as exc:  # the run is still in the JSON file; say why the table has no row
            result.error = (result.error or "") + f" not recorded in the warehouse: {exc}"
    if settings.warehouse_db.exists():
        result.warehouse_stamp = warehouse_stamp(settings.warehouse_db)
    results_path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        **asdict(result),
        "finished_at": finished.isoformat(),
        "params": asdict(params),
        "results": outcomes,
    }
    tmp = results_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, results_path)
    return result


def latest_result_file(settings: Settings) -> Path | None:
    """The newest stored validation run (JSON), if any."""
    runs = sorted((settings.validation_dir / "runs").glob("*.json"))
    return runs[-1] if runs else None
