"""The warehouse step: run dbt-core in-process on ``dbt_project/`` (dbt-duckdb).

dbt reads the staging DuckDB through a read-only ``ATTACH`` (catalog ``staging``) and writes
``settings.warehouse_db``; marts land in schema ``main``. dbt's artefacts (manifest, run results,
logs, docs) go to ``<home>/dbt/`` so that parallel builds with different settings never share a
``target/`` folder.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gongkai.config import Settings
from gongkai.database import damage_of, damaged_error, named_file, open_duckdb, set_aside


@dataclass
class BuildResult:
    """Outcome of one ``dbt build``: counts of nodes by outcome and every failing node."""

    success: bool
    elapsed_s: float  # wall time of the call: Python imports, dbt's project load, then the run
    models: int = 0
    seeds: int = 0
    tests_passed: int = 0
    tests_warned: int = 0
    tests_failed: int = 0
    skipped: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    warehouse_db: str = ""
    target_path: str = ""
    mode: str = "full-refresh"  # full-refresh | code-changed | data-only | selection | rebuilt (see dbt_build)
    run_s: float | None = None  # dbt's own timer: the hooks, models and tests ("Finished running … in")
    damage: str | None = None  # ``rebuilt``: what DuckDB said of the damaged warehouse file
    set_aside: str | None = None  # ``rebuilt``: where the damaged file now lies (kept, never deleted)


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
    """dbt ATTACHes staging read-only, which fails on a missing file: create an empty schema then.
    A damaged staging file is one error here (``DatabaseDamaged``), not a traceback in dbt's log."""
    import duckdb

    if not settings.staging_db.exists():
        from gongkai.staging import connect

        with connect(settings.staging_db):
            pass
        return
    try:
        open_duckdb(settings.staging_db, "staging", read_only=True).close()
    except duckdb.IOException:
        pass  # held by a writer: dbt's own ATTACH reports it


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


def _run_seconds(results: Any) -> float | None:
    elapsed = getattr(results, "elapsed_time", None)
    return round(float(elapsed), 2) if elapsed is not None else None


def _run(settings: Settings, command: str, args: list[str]) -> BuildResult:
    start = time.perf_counter()
    res = _invoke(settings, [command], args)
    if isinstance(res.exception, KeyboardInterrupt):  # Ctrl-C: the user stopped it, not a failed build
        raise res.exception
    target_path, _ = dbt_paths(settings)
    if "--no-write-json" in args and hasattr(res.result, "write"):  # keep run_results.json current
        res.result.write(str(target_path / "run_results.json"))
    summary = _summarise(res.result)
    if res.exception is not None:
        summary["failures"].append({"node": "dbt", "status": "error", "message": str(res.exception)[:2000]})
    return BuildResult(
        success=bool(res.success) and not summary["failures"],
        elapsed_s=round(time.perf_counter() - start, 2),
        run_s=_run_seconds(res.result),
        warehouse_db=str(settings.warehouse_db),
        target_path=str(target_path),
        **summary,
    )


# what a data-only build runs: the tables and incremental models that depend on the staging data and
# every data test downstream of it. Seeds, views, unit tests and the tables built from seeds alone
# (dim_generation, dim_indicator, ...) are code: they cannot change while the code does not.
DATA_ONLY_SELECTION = (
    "source:staging+,config.materialized:table",
    "source:staging+,config.materialized:incremental",
    "source:staging+,resource_type:test",
)
DATA_ONLY_EXCLUSION = ("resource_type:unit_test",)
_CODE_PATHS = ("dbt_project.yml", "profiles.yml", "models", "seeds", "macros", "tests", "analyses")


def project_fingerprint(settings: Settings) -> str:
    """sha256 of the dbt project's code (models, seeds, macros, tests, configs) and the dbt versions.

    (Pointing a warehouse at a different staging file is not code: build it with ``full_refresh``.)"""
    from importlib.metadata import version

    project = settings.dbt_project_dir
    h = hashlib.sha256()
    h.update(f"{version('dbt-core')} {version('dbt-duckdb')}".encode())
    for name in _CODE_PATHS:
        root = project / name
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file():
                h.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _recorded_fingerprint(settings: Settings) -> str | None:
    """The project fingerprint of this warehouse's last clean full build, if any."""
    import duckdb

    if not settings.warehouse_db.exists():
        return None
    try:
        with duckdb.connect(str(settings.warehouse_db), read_only=True) as con:
            row = con.execute("select fingerprint from build_state.project").fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None


def _record_fingerprint(settings: Settings, fingerprint: str) -> None:
    from gongkai.config import WAREHOUSE_DUCKDB_CONFIG

    with open_duckdb(settings.warehouse_db, "warehouse", config=WAREHOUSE_DUCKDB_CONFIG) as con:
        con.execute("create schema if not exists build_state")
        con.execute(
            "create or replace table build_state.project as select ? as fingerprint, now() as recorded_at",
            [fingerprint],
        )


def dbt_build(settings: Settings, *, full_refresh: bool = False, select: str | None = None) -> BuildResult:
    """Run ``dbt build`` into ``settings.warehouse_db``; returns counts and every failing node.

    Incremental models rebuild only the reports whose parse changed since the last clean build (the
    build slice: ``dbt_project/macros/build_slice.sql``), and their tests check that slice. Modes:

    * ``full-refresh``: every seed, model, data test and unit test, incremental models from scratch;
    * ``code-changed``: the same, because this warehouse has no clean build of the dbt project's
      current code (``project_fingerprint``): the first build, models, seeds or macros changed (so
      every row of every incremental model may be stale), or the last invocation with
      ``--full-refresh`` did not finish cleanly;
    * ``data-only``: the code is what the last clean build ran, so only the data can have changed:
      the models and data tests downstream of the staging data run (``DATA_ONLY_SELECTION``); seeds,
      views, unit tests and seed-only tables (code) are skipped;
    * ``selection``: ``select`` given; dbt's own selection, nothing recorded.

    An invocation with ``--full-refresh`` (every mode but ``data-only``; a selection when asked)
    forgets the recorded fingerprint as it starts (the ``on-run-start`` hook), so the build after one
    that was killed or failed is a full one: it drops and re-creates tables, seeds included. A
    data-only build that stops half-way is redone by the next one (the slice of the last watermark).

    A failing test or model is reported in ``failures`` (``success`` False), never raised.
    """
    fingerprint = project_fingerprint(settings)
    if select:
        mode, args = "selection", ["--select", select] + (["--full-refresh"] if full_refresh else [])
    elif full_refresh:
        mode, args = "full-refresh", ["--full-refresh"]
    elif _recorded_fingerprint(settings) == fingerprint:
        # the code is unchanged, so is manifest.json: not rewriting it saves time (run_results below)
        mode = "data-only"
        args = ["--select", *DATA_ONLY_SELECTION, "--exclude", *DATA_ONLY_EXCLUSION, "--no-write-json"]
    else:
        mode, args = "code-changed", ["--full-refresh"]
    result = _run(settings, "build", args)
    result.mode = mode
    if not result.success and mode != "selection":
        damage, named = _damage(result, settings)
        if damage is not None and named != "staging" and settings.warehouse_db.exists():
            # derived data: set the damaged file aside (kept) and rebuild it from staging
            aside = set_aside(settings.warehouse_db)
            result = _run(settings, "build", ["--full-refresh"])
            mode = result.mode = "rebuilt"
            result.set_aside, result.damage = str(aside), damage
            damage, named = _damage(result, settings)
        if damage is not None:  # (a new warehouse is whole: what is left is staging's)
            raise damaged_error("staging", settings.staging_db, damage)
    if result.success and mode in ("full-refresh", "code-changed", "rebuilt"):
        _record_fingerprint(settings, fingerprint)
    return result


def _damage(result: BuildResult, settings: Settings) -> tuple[str | None, str | None]:
    """(what DuckDB said, the file it names: staging | warehouse | None) when a failure of this
    build says a database file is damaged; (None, None) otherwise. A checksum error names no file."""
    files = {"staging": settings.staging_db, "warehouse": settings.warehouse_db}
    for failure in result.failures:
        message = failure.get("message") or ""
        damage = damage_of(Exception(message))
        if damage is not None:
            return damage, named_file(message, files)
    return None, None


def dbt_test(settings: Settings, *, select: str | None = None) -> BuildResult:
    """Run ``dbt test`` (data and unit tests) against the warehouse as it is, without rebuilding."""
    return _run(settings, "test", ["--select", select] if select else [])


def dbt_docs_generate(settings: Settings) -> DocsResult:
    """``dbt docs generate --static`` (offline: the catalog comes from the warehouse DuckDB).
    ``static_index.html`` embeds the manifest and catalog, so it opens from ``file://``."""
    start = time.perf_counter()
    res = _invoke(settings, ["docs", "generate", "--static"])
    target_path, _ = dbt_paths(settings)
    return DocsResult(
        success=bool(res.success),
        elapsed_s=round(time.perf_counter() - start, 2),
        docs_dir=str(target_path),
        error=None if res.exception is None else str(res.exception),
    )
