"""Frames the suites validate: one SQL query each, read into pandas through a read-only DuckDB
connection (warehouse as the default catalog, staging attached read-only as ``staging``).

GX's SQL datasource does not work on DuckDB, so every suite runs on pandas. Reading a 10-million-row
table into pandas is what made the gate slow, so the table suites hand GX *compact* frames (built by
``expectations.compact``) that still let each expectation decide for itself:

- a **rows** frame holds only the real rows that can fail (rows whose key hash is shared, NULL keys,
  rows whose foreign key does not resolve); ``covers`` counts the rows of the table it stands for,
  which becomes the outcome's ``element_count``;
- a **values** frame holds every distinct combination of the value columns actually present with
  its row count in the ``weight`` column; outcome counts are weighted (rows, not distinct values).

Frames with a ``partition_key`` are read in chunks that partition the rows by a hash of the key:
rows sharing a key always land in the same chunk, so uniqueness checked per chunk is uniqueness
overall.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
import pandas as pd

_TEMP = "_gate_frame"


@dataclass(frozen=True)
class Frame:
    """What a suite validates: ``sql`` over ``main.*`` (warehouse) and ``staging.main.*`` (staging)."""

    table: str  # the table the frame is about (e.g. "staging.main.documents", "main.dim_report")
    sql: str
    partition_key: str | None = None  # SQL expression over the frame's columns; None = never chunked
    covers: str | None = None  # SQL counting the rows the frame stands for (frame = the rows that can fail)
    weight: str | None = None  # column: how many rows each frame row stands for (frame = distinct values)


def _df(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """Read through Arrow (several times faster than ``.df()`` for string columns)."""
    return con.sql(sql).to_arrow_table().to_pandas()


def _table_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Rows of the frame's base table (cheap), or a huge number when it is not a plain table."""
    try:
        return int(con.sql(f"select count(*) from {table}").fetchall()[0][0])
    except duckdb.Error:
        return 2**62


def covered_rows(con: duckdb.DuckDBPyConnection, frame: Frame) -> int | None:
    """Rows the frame stands for (``covers``), or None when the frame is the rows themselves."""
    if frame.covers is None:
        return None
    return int(con.sql(frame.covers).fetchall()[0][0])


def read_chunks(con: duckdb.DuckDBPyConnection, frame: Frame, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Yield the frame as one DataFrame, or as hash partitions of at most ~``chunk_rows`` rows."""
    if frame.partition_key is None or _table_rows(con, frame.table) <= chunk_rows:
        yield _df(con, frame.sql)
        return
    con.sql(f"create or replace temp table {_TEMP} as {frame.sql}")
    try:
        rows = con.sql(f"select count(*) from {_TEMP}").fetchall()[0][0]
        parts = max(1, math.ceil(rows / max(1, chunk_rows)))
        if parts == 1:
            yield _df(con, f"select * from {_TEMP}")
            return
        for part in range(parts):
            yield _df(con, f"select * from {_TEMP} where hash({frame.partition_key}) % {parts} = {part}")
    finally:
        con.sql(f"drop table if exists {_TEMP}")
