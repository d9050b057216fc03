"""Parquet files of the warehouse's tables, for BI tools that read Parquet — written at publish
time, or *staged* while the gate validates the same warehouse.

Staging is the "write" of write–audit–publish: ``ParquetStage`` writes the files of every table of
schema ``main`` (except the gate's own ``validation_*`` tables, which the gate writes afterwards)
into a hidden candidate folder ``serving/.parquet-candidate-<run_id>`` while the suites run, so the
two costs overlap (at 100k reports: ~24 s together instead of ~34 s one after the other). Only
``gongkai.publish.publish`` makes a candidate visible (moved into the snapshot it builds, as its
``parquet/`` folder), and only when the gate passed with nothing quarantined and the warehouse file
is unchanged since the gate (``warehouse_stamp``); otherwise the candidate is deleted and publish
writes the files itself.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from gongkai.config import Settings
from gongkai.database import sql_string

PARQUET_COMPRESSION = "snappy"
PARQUET_BATCH_ROWS = 1_000_000  # one Parquet row group per batch
PARQUET_WRITERS = 2  # Parquet files written at the same time (the machine has 2 cores)
PLAIN_SAMPLE_ROWS = 20_000  # rows of the first batch that decide whether a string column is written plain
GATE_TABLES = ("validation_runs", "validation_results")  # written by the gate after its candidate
CANDIDATE_PREFIX = ".parquet-candidate-"
CANDIDATE_MARKER = ".candidate.json"  # written last: a candidate without it is incomplete


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _plain_columns(batch: Any) -> list[str]:
    """String columns whose first rows are mostly distinct values (a table's ``key``): Parquet
    dictionary-encodes them for nothing (the dictionary overflows on the first page and is dropped),
    which cost about a quarter of the fact table's write time; they are written plain."""
    import pyarrow as pa
    import pyarrow.compute as pc

    plain = []
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            sample = column.slice(0, PLAIN_SAMPLE_ROWS)
            if len(sample) >= 1000 and pc.count_distinct(sample).as_py() > 0.5 * len(sample):
                plain.append(name)
    return plain


def parquet_file(con: Any, relation: str, out: Path) -> None:
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
        pq.write_table(con.sql(f"select * from {relation} limit 0").to_arrow_table(), out)
    except Exception:  # e.g. an Arrow type pyarrow cannot write: let DuckDB write it
        out.unlink(missing_ok=True)
        con.execute(f"copy {relation} to {sql_string(out)} (format parquet, compression {PARQUET_COMPRESSION})")
    fsync(out)


def export_tables(con: Any, names: list[str], folder: Path, database: str = "wh") -> float:
    """Parquet of ``<database>.main.<name>`` for each name into ``folder``; seconds taken.
    ``PARQUET_WRITERS`` files at a time, each on its own cursor (pyarrow's writer is single-threaded
    and releases the GIL: the two 10-million-row marts are written side by side)."""
    t = time.perf_counter()
    with ThreadPoolExecutor(max_workers=PARQUET_WRITERS) as pool:
        jobs = [
            pool.submit(parquet_file, con.cursor(), f'{database}.main."{name}"', folder / f"{name}.parquet")
            for name in names
        ]
        for job in jobs:
            job.result()
    return round(time.perf_counter() - t, 2)


def main_tables(con: Any, database: str = "wh") -> list[str]:
    """Tables of schema ``main`` of an attached database, largest first."""
    return [
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where database_name = ? and schema_name = 'main'"
            " order by estimated_size desc, table_name",
            [database],
        ).fetchall()
    ]


def warehouse_stamp(path: Path) -> str:
    """Identity of the warehouse file as it is now (any write changes it): inode, size, mtime, WAL."""
    st = path.stat()
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{Path(f'{path}.wal').exists()}"


def candidate_folder(settings: Settings, run_id: str) -> Path:
    return settings.serving_dir / f"{CANDIDATE_PREFIX}{run_id}"


def complete_candidate(folder: Path) -> list[str] | None:
    """The tables of a finished candidate folder, or None when it is missing or incomplete."""
    try:
        return list(json.loads((folder / CANDIDATE_MARKER).read_text(encoding="utf-8"))["tables"])
    except (OSError, ValueError, KeyError):
        return None


class ParquetStage:
    """Writes the candidate Parquet files of the warehouse in a background thread (its own DuckDB
    instance, the warehouse attached read-only) while the caller validates the same file."""

    def __init__(self, settings: Settings, run_id: str) -> None:
        self.folder = candidate_folder(settings, run_id)
        self.warehouse = settings.warehouse_db
        self.seconds = 0.0
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._job: Future[None] = self._pool.submit(self._write)

    def _write(self) -> None:
        import duckdb

        con = duckdb.connect()
        try:
            con.execute("set enable_progress_bar = false")
            con.execute(f"attach {sql_string(self.warehouse)} as wh (read_only)")
            names = [n for n in main_tables(con) if n not in GATE_TABLES]
            self.folder.mkdir(parents=True)
            self.seconds = export_tables(con, names, self.folder)
            (self.folder / CANDIDATE_MARKER).write_text(json.dumps({"tables": names}), encoding="utf-8")
        finally:
            con.close()

    def finish(self, keep: bool) -> tuple[str, str]:
        """Wait for the files; keep them (``keep``) or delete them. Returns (candidate folder or "",
        why not kept or "")."""
        try:
            self._job.result()
        except Exception as exc:  # publish writes the files itself; say why
            shutil.rmtree(self.folder, ignore_errors=True)
            return "", f"{type(exc).__name__}: {exc}"[:500]
        finally:
            self._pool.shutdown(wait=True)
        if not keep:
            shutil.rmtree(self.folder, ignore_errors=True)
            return "", "gate failed"
        return str(self.folder), ""
