"""The warehouse step: run dbt-core in-process on ``dbt_project/`` (dbt-duckdb).

dbt reads the staging DuckDB through a read-only ``ATTACH`` (catalog ``staging``) and writes
``settings.warehouse_db``; marts land in schema ``main``. dbt's artefacts (manifest, run results,
logs, docs) go to ``<home>/dbt/`` so that parallel builds with different settings never share a
``target/`` folder.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gongkai.config import Settings

# models whose tables the later steps (validation, publishing) read
MARTS = (
    "dim_agency",
    "dim_indicator",
    "dim_report",
    "dim_applicant_type",
    "dim_generation",
    "dim_year",
    "fct_indicator_value",
    "mart_agency_year",
    "mart_indicator_series",
    "mart_identity_audit",
    "mart_publication_timeliness",
)


@dataclass
class BuildResult:
    """Outcome of one ``dbt build``: counts of nodes by outcome and every failing node."""

    success: bool
    elapsed_s: float
    models: int = 0
    seeds: int = 0
    tests_passed: int = 0
    tests_warned: int = 0
    tests_failed: int = 0
    skipped: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    warehouse_db: str = ""
    target_path: str = ""


@dataclass
class DocsResult:
    success: bool
    elapsed_s: float
    docs_dir: str
    error: str | None = None


def dbt_paths(settings: Settings) -> tuple[Path, Path]:
    """(target path, log path) of dbt's artefacts for these settings."""
    base = settings.home / "dbt"
    return base / "target", base / "logs"


@contextmanager
def _environment(settings: Settings) -> Iterator[None]:
    """Expose ``settings.env()`` to dbt's ``env_var()`` for the duration of one in-process run."""
    values = settings.env()
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def _ensure_staging(settings: Settings) -> None:
    """dbt ATTACHes staging read-only, which fails on a missing file: create an empty schema then."""
    if not settings.staging_db.exists():
        from gongkai.staging import connect

        with connect(settings.staging_db):
            pass


def _invoke(settings: Settings, command: list[str], args: list[str] | None = None) -> Any:
    """Run one dbt command (e.g. ``["build"]``, ``["docs", "generate"]``) with these settings."""
    from dbt.cli.main import dbtRunner

    target_path, log_path = dbt_paths(settings)
    project = str(settings.dbt_project_dir)
    full = [
        *command,
        "--project-dir",
        project,
        "--profiles-dir",
        project,
        "--target-path",
        str(target_path),
        "--log-path",
        str(log_path),
        *(args or []),
    ]
    settings.ensure_dirs()
    _ensure_staging(settings)
    with _environment(settings):
        try:
            return dbtRunner().invoke(
                ["--no-send-anonymous-usage-stats", "--no-version-check", "--no-use-colors", *full]
            )
        finally:
            _release_duckdb()


def _release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in-process after a run.

    Otherwise the warehouse file stays locked by this process, and a later ``duckdb.connect`` to
    it here (validation, publishing, tests) fails with "different configuration".
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
        if env is not None:
            env.close()


def _summarise(results: Any) -> dict[str, Any]:
    """Counts by outcome and the failing nodes of a dbt ``RunExecutionResult``."""
    counts: dict[str, Any] = dict.fromkeys(
        ("models", "seeds", "tests_passed", "tests_warned", "tests_failed", "skipped"), 0
    )
    failures: list[dict[str, Any]] = []
    for r in getattr(results, "results", None) or []:
        kind = str(r.node.resource_type)  # model | seed | test | unit_test | ...
        status = str(r.status)  # success | error | skipped | pass | warn | fail
        if status == "skipped":
            counts["skipped"] += 1
        elif kind in ("test", "unit_test"):
            counts[{"pass": "tests_passed", "warn": "tests_warned"}.get(status, "tests_failed")] += 1
        elif status == "success" and kind in ("model", "seed"):
            counts[kind + "s"] += 1
        if status in ("error", "fail"):
            failures.append({"node": r.node.unique_id, "status": status, "message": (r.message or "")[:2000]})
    counts["failures"] = failures
    return counts


def _run(settings: Settings, command: str, args: list[str]) -> BuildResult:
    start = time.perf_counter()
    res = _invoke(settings, [command], args)
    summary = _summarise(res.result)
    if res.exception is not None:
        summary["failures"].append({"node": "dbt", "status": "error", "message": str(res.exception)[:2000]})
    target_path, _ = dbt_paths(settings)
    return BuildResult(
        success=bool(res.success) and not summary["failures"],
        elapsed_s=round(time.perf_counter() - start, 2),
        warehouse_db=str(settings.warehouse_db),
        target_path=str(target_path),
        **summary,
    )


def dbt_build(settings: Settings, *, full_refresh: bool = False, select: str | None = None) -> BuildResult:
    """Run ``dbt build`` (seeds, models, data and unit tests) into ``settings.warehouse_db``.

    A failing test or model is reported in ``failures`` (``success`` False), never raised.
    """
    args = (["--full-refresh"] if full_refresh else []) + (["--select", select] if select else [])
    return _run(settings, "build", args)


def dbt_test(settings: Settings, *, select: str | None = None) -> BuildResult:
    """Run ``dbt test`` (data and unit tests) against the warehouse as it is, without rebuilding."""
    return _run(settings, "test", ["--select", select] if select else [])


def dbt_docs_generate(settings: Settings) -> DocsResult:
    """``dbt docs generate`` (offline: the catalog comes from the warehouse DuckDB)."""
    start = time.perf_counter()
    res = _invoke(settings, ["docs", "generate"])
    target_path, _ = dbt_paths(settings)
    return DocsResult(
        success=bool(res.success),
        elapsed_s=round(time.perf_counter() - start, 2),
        docs_dir=str(target_path),
        error=None if res.exception is None else str(res.exception),
    )
