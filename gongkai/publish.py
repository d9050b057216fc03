"""Write–audit–publish: after the gate passes, copy the warehouse to the serving file BI tools read.

The copy is built beside the serving file, in the old ``STORAGE_VERSION`` that DuckDB 1.4/1.5
readers open, fsynced and moved over the serving file with ``os.replace`` — a reader opens either
the whole old snapshot or the whole new one. A warehouse already stored in that version (every
warehouse gongkai creates: ``gongkai.config.WAREHOUSE_DUCKDB_CONFIG``) is copied as a file, then
trimmed; any other is re-encoded table by table (``ATTACH`` it ``READ_ONLY``, ``COPY FROM DATABASE``
into a new file created with ``STORAGE_VERSION``). Parquet files of every mart go to a fresh folder
``serving/parquet-<publish_id>/`` and the ``serving/parquet`` symlink is swapped to it atomically.
The gate normally staged those files while it validated (``gongkai.parquet_export.ParquetStage``):
the candidate folder is renamed into the snapshot when the warehouse file is unchanged since the
gate, and only the gate's own tables and the manifest are written here. Otherwise the files are
written while the copy is made (other cursors on the same read-only attachment of the warehouse),
two at a time, so the costs overlap instead of adding up.
Views (the dbt ``stg``/``int`` layers, which read the staging file) and the dbt build's own
bookkeeping (schema ``build_state``) are not published.
On a blocking gate failure nothing is written and the previous serving copy stays.
"""

from __future__ import annotations

import fcntl
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

from gongkai.config import STORAGE_VERSION, WAREHOUSE_DUCKDB_CONFIG, Settings
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

__all__ = ["STORAGE_VERSION", "PublishResult", "publish"]
KEEP_PARQUET_SNAPSHOTS = 3  # older snapshot folders are removed (readers of the previous one keep working)
STALE_CANDIDATE_S = 3600  # a gate's candidate Parquet folder older than this was abandoned
MANIFEST = "publish_manifest"


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


def _build_snapshot(
    warehouse: Path,
    target: Path,
    folder: Path | None,
    publish_id: str,
    validation_run_id: str | None,
    phases: dict[str, float],
    staged: tuple[str, ...] = (),
) -> dict[str, int]:
    """Copy every table of the warehouse into ``target`` (old storage version) and, when ``folder`` is
    given, write the Parquet files of the tables not already ``staged`` there at the same time, from
    the same read-only attachment of the warehouse (one DuckDB instance, several cursors: all see
    the same snapshot); returns row counts."""
    import duckdb

    if Path(f"{warehouse}.wal").exists():  # fold the WAL in, so that the file alone is the snapshot
        with duckdb.connect(str(warehouse), config=WAREHOUSE_DUCKDB_CONFIG) as rw:
            rw.execute("checkpoint")
    # DuckDB's progress bar (on by default, even without a terminal) keeps the copy on ~one core
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    job = None
    pool = ThreadPoolExecutor(max_workers=1) if folder is not None else None
    try:
        con.execute(f"attach '{warehouse}' as wh (read_only)")
        stored = con.execute(
            "select tags['storage_version'] from duckdb_databases() where database_name = 'wh'"
        ).fetchone()[0]
        file_copy = str(stored or "").startswith(STORAGE_VERSION)
        phases["file_copy"] = float(file_copy)  # 1.0: copied as a file; 0.0: re-encoded table by table
        t = time.perf_counter()
        if file_copy:  # nothing writes the warehouse while it is published: its file is the snapshot
            shutil.copyfile(warehouse, target)
            con.execute(f"attach '{target}' as pub")
        else:
            con.execute(f"attach '{target}' as pub (storage_version '{STORAGE_VERSION}')")
        if folder is not None and pool is not None:
            folder.mkdir(parents=True, exist_ok=True)
            names = [name for name in main_tables(con) if name not in staged]
            job = pool.submit(export_tables, con.cursor(), names, folder)
        if not file_copy:
            con.execute("copy from database wh to pub")
        phases["copy"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        con.execute("drop schema if exists pub.build_state cascade")
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
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'pub' order by all"
        ).fetchall()
        counts = {  # exact count(*): cheap (0.05 s for every table at 100k reports)
            f"{s}.{t}": con.execute(f'select count(*) from pub."{s}"."{t}"').fetchone()[0] for s, t in tables
        }
        con.execute(
            f"create table pub.main.{MANIFEST} (publish_id varchar, published_at timestamp,"
            " validation_run_id varchar, table_name varchar, row_count bigint)"
        )
        now = datetime.now(UTC).replace(tzinfo=None)
        con.executemany(
            f"insert into pub.main.{MANIFEST} values (?, ?, ?, ?, ?)",
            [[publish_id, now, validation_run_id, name, rows] for name, rows in counts.items()],
        )
        phases["counts"] = round(time.perf_counter() - t, 2)
        if job is not None and folder is not None:
            phases["parquet"] = job.result()  # the marts' Parquet files, then the manifest's (from the copy)
            parquet_file(con, f"pub.main.{MANIFEST}", folder / f"{MANIFEST}.parquet")
            fsync(folder)
        con.execute("detach pub")
    finally:
        if pool is not None:
            pool.shutdown(wait=True)  # never close the connection under a running export
        con.close()
    return counts


def _swap_parquet(settings: Settings, folder: Path) -> None:
    link = settings.parquet_dir
    if link.exists() and not link.is_symlink():  # a plain folder from elsewhere: keep it aside
        link.rename(link.with_name(f"parquet-replaced-{int(time.time())}"))
    tmp = link.with_name(f".parquet-link-{uuid.uuid4().hex[:8]}")
    os.symlink(folder.name, tmp)
    os.replace(tmp, link)
    snapshots = sorted(p for p in link.parent.glob("parquet-*") if p.is_dir() and p != folder)
    for old in snapshots[: max(0, len(snapshots) - (KEEP_PARQUET_SNAPSHOTS - 1))]:
        shutil.rmtree(old, ignore_errors=True)


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
    """Move the Parquet files the gate staged into ``folder`` when they are complete and the warehouse
    file is unchanged since the gate; returns the tables they hold (none: publish writes them all).
    Candidates abandoned by earlier gates (a crash, a publish never run) are removed."""
    candidate = _candidate(settings, validation)
    now = time.time()
    for old in settings.serving_dir.glob(f"{CANDIDATE_PREFIX}*"):
        if old != candidate and now - old.stat().st_mtime > STALE_CANDIDATE_S:
            shutil.rmtree(old, ignore_errors=True)
    if candidate is None:
        return ()
    tables = complete_candidate(candidate)
    if tables is None or validation.warehouse_stamp != warehouse_stamp(settings.warehouse_db):
        shutil.rmtree(candidate, ignore_errors=True)
        return ()
    (candidate / CANDIDATE_MARKER).unlink()
    candidate.rename(folder)
    return tuple(tables)


def publish(
    settings: Settings, *, validation: ValidationResult | None = None, parquet: bool = True
) -> PublishResult:
    """Publish the warehouse when the gate passes (running it first when ``validation`` is None)."""
    start = time.perf_counter()
    result = PublishResult(False, str(settings.serving_db), str(settings.parquet_dir))
    if validation is None:
        from gongkai.validate import run_validation

        validation = run_validation(settings, stage_parquet=parquet)
    result.validation_run_id = validation.run_id
    if not validation.success:
        _drop_candidate(settings, validation)
        result.reason = (
            f"gate failed: {validation.blocking_failed} blocking expectation(s) failed"
            f"{' — ' + validation.error if validation.error else ''}; the previous serving copy stays"
        )
        result.elapsed_s = round(time.perf_counter() - start, 2)
        return result
    settings.serving_dir.mkdir(parents=True, exist_ok=True)
    publish_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f") + "-" + uuid.uuid4().hex[:6]
    result.publish_id = publish_id
    phases = result.phases
    tmp = settings.serving_dir / f".warehouse.{publish_id}.duckdb.tmp"
    folder = settings.serving_dir / f"parquet-{publish_id}"
    try:
        with _publish_lock(settings.serving_dir):
            staged = _take_candidate(settings, validation, folder) if parquet else ()
            phases["parquet_staged"] = float(bool(staged))  # 1.0: the gate's candidate files were used
            if not parquet:
                _drop_candidate(settings, validation)
            result.tables = _build_snapshot(
                settings.warehouse_db,
                tmp,
                folder if parquet else None,
                publish_id,
                validation.run_id,
                phases,
                staged,
            )
            t = time.perf_counter()
            fsync(tmp)
            result.phases["fsync"] = round(time.perf_counter() - t, 2)
            os.replace(tmp, settings.serving_db)
            fsync(settings.serving_dir)
            if parquet:
                _swap_parquet(settings, folder)
                fsync(settings.serving_dir)
    except Exception as exc:  # nothing replaced: the old copy stays; say why
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        result.reason = f"publish failed: {type(exc).__name__}: {exc}; the previous serving copy stays"
        result.elapsed_s = round(time.perf_counter() - start, 2)
        return result
    result.published = True
    result.reason = f"gate passed ({validation.warnings} warning(s)); published {len(result.tables)} tables"
    result.elapsed_s = round(time.perf_counter() - start, 2)
    return result
