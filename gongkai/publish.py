"""Write–audit–publish: after the gate passes, copy the warehouse to the serving file BI tools read.

The copy is built beside the serving file, in the old ``STORAGE_VERSION`` that DuckDB 1.4/1.5
readers open, fsynced and moved over the serving file with ``os.replace`` — a reader opens either
the whole old snapshot or the whole new one. A warehouse already stored in that version (every
warehouse gongkai creates: ``gongkai.config.WAREHOUSE_DUCKDB_CONFIG``) is copied as a file, then
trimmed; any other is re-encoded table by table (``ATTACH`` it ``READ_ONLY``, ``COPY FROM DATABASE``
into a new file created with ``STORAGE_VERSION``). Parquet files of every mart go to a fresh folder
``serving/parquet-<publish_id>/`` and the ``serving/parquet`` symlink is swapped to it atomically.
The Parquet files are written while the copy is made (other cursors on the same read-only
attachment of the warehouse), two files at a time, so the costs overlap instead of adding up.
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
from typing import Any

from gongkai.config import STORAGE_VERSION, WAREHOUSE_DUCKDB_CONFIG, Settings
from gongkai.validate import ValidationResult

__all__ = ["STORAGE_VERSION", "PublishResult", "publish"]
KEEP_PARQUET_SNAPSHOTS = 3  # older snapshot folders are removed (readers of the previous one keep working)
MANIFEST = "publish_manifest"
PARQUET_COMPRESSION = "snappy"
PARQUET_BATCH_ROWS = 1_000_000  # one Parquet row group per batch
PARQUET_WRITERS = 2  # Parquet files written at the same time (the machine has 2 cores)


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


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _plain_columns(batch: Any) -> list[str]:
    """String columns of the first batch that are mostly distinct values (a table's ``key``): Parquet
    dictionary-encodes them for nothing (the dictionary overflows on the first page and is dropped),
    which cost about a quarter of the fact table's write time; they are written plain."""
    import pyarrow as pa
    import pyarrow.compute as pc

    plain = []
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            if len(column) >= 1000 and pc.count_distinct(column).as_py() > 0.5 * len(column):
                plain.append(name)
    return plain


def _parquet_file(con: Any, relation: str, out: Path) -> None:
    """Stream ``relation`` into ``out`` with pyarrow's writer (about a third less CPU than DuckDB's
    COPY … TO parquet on the fact table); DuckDB's writer for a type pyarrow cannot write."""
    import pyarrow.parquet as pq

    try:
        reader = con.sql(f"select * from {relation}").to_arrow_reader(PARQUET_BATCH_ROWS)
        first = reader.read_next_batch() if reader.schema.names else None
        plain = set(_plain_columns(first)) if first is not None else set()
        dictionary = [name for name in reader.schema.names if name not in plain]
        with pq.ParquetWriter(  # nor min/max statistics of random keys: they prune nothing
            out,
            reader.schema,
            compression=PARQUET_COMPRESSION,
            use_dictionary=dictionary or False,
            write_statistics=dictionary or False,
        ) as writer:
            if first is not None:
                writer.write_batch(first)
            for batch in reader:
                writer.write_batch(batch)
    except StopIteration:  # an empty table: its schema alone
        _empty_parquet(con, relation, out)
    except Exception:  # e.g. an Arrow type pyarrow cannot write: let DuckDB write it
        out.unlink(missing_ok=True)
        con.execute(f"copy {relation} to '{out}' (format parquet, compression {PARQUET_COMPRESSION})")
    _fsync(out)


def _empty_parquet(con: Any, relation: str, out: Path) -> None:
    import pyarrow.parquet as pq

    pq.write_table(con.sql(f"select * from {relation} limit 0").to_arrow_table(), out)


def _export_parquet(con: Any, names: list[str], folder: Path, phases: dict[str, float]) -> None:
    """Parquet of ``wh.main.<name>`` for each name (beside the copy): ``PARQUET_WRITERS`` files at a
    time, each on its own cursor (pyarrow's writer is single-threaded and releases the GIL; the two
    10-million-row marts are written side by side instead of one after the other)."""
    t = time.perf_counter()
    with ThreadPoolExecutor(max_workers=PARQUET_WRITERS) as pool:
        jobs = [
            pool.submit(_parquet_file, con.cursor(), f'wh.main."{name}"', folder / f"{name}.parquet")
            for name in names
        ]
        for job in jobs:
            job.result()
    phases["parquet"] = round(time.perf_counter() - t, 2)


def _build_snapshot(
    warehouse: Path,
    target: Path,
    folder: Path | None,
    publish_id: str,
    validation_run_id: str | None,
    phases: dict[str, float],
) -> dict[str, int]:
    """Copy every table of the warehouse into ``target`` (old storage version) and, when ``folder`` is
    given, write the Parquet files at the same time from the same read-only attachment of the
    warehouse (one DuckDB instance, two cursors: both see the same snapshot); returns row counts."""
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
            folder.mkdir(parents=True)
            names = [
                name
                for (name,) in con.execute(
                    "select table_name from duckdb_tables() where database_name = 'wh' and schema_name = 'main'"
                    " order by estimated_size desc, table_name"
                ).fetchall()
            ]
            job = pool.submit(_export_parquet, con.cursor(), names, folder, phases)
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
            job.result()  # the marts' Parquet files, then the manifest's (from the copy)
            _parquet_file(con, f"pub.main.{MANIFEST}", folder / f"{MANIFEST}.parquet")
            _fsync(folder)
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


def publish(
    settings: Settings, *, validation: ValidationResult | None = None, parquet: bool = True
) -> PublishResult:
    """Publish the warehouse when the gate passes (running it first when ``validation`` is None)."""
    start = time.perf_counter()
    result = PublishResult(False, str(settings.serving_db), str(settings.parquet_dir))
    if validation is None:
        from gongkai.validate import run_validation

        validation = run_validation(settings)
    result.validation_run_id = validation.run_id
    if not validation.success:
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
            result.tables = _build_snapshot(
                settings.warehouse_db, tmp, folder if parquet else None, publish_id, validation.run_id, phases
            )
            t = time.perf_counter()
            _fsync(tmp)
            result.phases["fsync"] = round(time.perf_counter() - t, 2)
            os.replace(tmp, settings.serving_db)
            _fsync(settings.serving_dir)
            if parquet:
                _swap_parquet(settings, folder)
                _fsync(settings.serving_dir)
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
