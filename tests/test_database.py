"""A damaged DuckDB file of the data home is told from a busy one: named at once with what it holds
and the remedy, never waited on or retried as if another process held it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from gongkai import staging
from gongkai.database import DatabaseDamaged, damage_of, open_duckdb, set_aside


@pytest.fixture()
def staged(tmp_path: Path, seed_texts) -> Path:
    """A real staging file holding the five seeds, big enough that a cut loses data blocks."""
    from datetime import datetime

    path = tmp_path / "staging.duckdb"
    with staging.connect(path) as con:
        for i in range(40):
            for doc_id, text in seed_texts.items():
                con.execute(
                    "INSERT INTO raw_texts VALUES (?, 1, ?, 'test', '0', ?, ?)",
                    [f"{doc_id}-{i}", text, len(text), datetime(2024, 1, 1)],
                )
    return path


@pytest.mark.parametrize("damage", ["cut", "overwritten"])
def test_a_damaged_staging_is_named_with_its_remedy(staged: Path, damage: str) -> None:
    data = staged.read_bytes()
    staged.write_bytes(data[: len(data) // 3] if damage == "cut" else b"not a database\n" * 100)
    with pytest.raises(DatabaseDamaged) as raised:
        with staging.connect(staged, read_only=True):
            pass
    message = str(raised.value)
    assert message.startswith(f"the staging database {staged} is damaged (IO Error: ")
    assert "raw archive" in message and raised.value.exit_code == 6


def test_landing_does_not_wait_on_a_damaged_staging_as_if_it_were_locked(staged: Path) -> None:
    from scrapers.landing import landed_state

    data = staged.read_bytes()
    staged.write_bytes(data[: len(data) // 3])
    started = time.monotonic()
    with pytest.raises(DatabaseDamaged):
        landed_state(staged, wait_s=60)  # before: 60 s of retries, then "stayed locked by a writer"
    assert time.monotonic() - started < 10


def test_a_file_held_by_a_writer_is_busy_not_damaged(staged: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, duckdb\ncon = duckdb.connect(sys.argv[1])\nprint('held', flush=True)\ntime.sleep(60)",
            str(staged),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(duckdb.IOException) as raised:
            open_duckdb(staged, "staging", read_only=True)
        assert not isinstance(raised.value, DatabaseDamaged) and damage_of(raised.value) is None
        assert "lock" in str(raised.value).lower()
    finally:
        holder.kill()
        holder.wait()


def test_set_aside_keeps_the_file_and_its_log(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    path.write_bytes(b"damaged bytes")
    Path(f"{path}.wal").write_bytes(b"log")
    first = set_aside(path)
    path.write_bytes(b"damaged again")
    second = set_aside(path)
    assert not path.exists() and first != second
    assert first.read_bytes() == b"damaged bytes" and Path(f"{first}.wal").read_bytes() == b"log"
    assert second.read_bytes() == b"damaged again" and first.name.startswith("warehouse.duckdb.damaged-")
