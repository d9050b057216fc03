"""BI readers keep working while publishes happen, and older DuckDB releases open the serving file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from publish_fixtures import validation

from gongkai.config import Settings
from gongkai.publish import publish

HERE = Path(__file__).resolve().parent
OLD_DUCKDB_CACHE = Path(os.environ.get("GONGKAI_OLD_DUCKDB_CACHE", Path.home() / ".cache" / "gongkai"))


@pytest.mark.slow
def test_reader_sees_complete_snapshots_during_20_publishes(warehouse: Settings, tmp_path: Path) -> None:
    assert publish(warehouse, validation=validation(True, warehouse)).published
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, str(HERE / "bi_reader.py"), str(warehouse.serving_db), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1.0)  # the reader imports SQLAlchemy and starts its loop
        publish_ids = []
        for i in range(20):
            with duckdb.connect(str(warehouse.warehouse_db)) as con:  # each publish has different content
                con.execute(
                    "insert into main.fct_indicator_value select md5('extra' || ?), key, 'complaints', ? "
                    "from main.dim_report limit 3",
                    [i, float(i)],
                )
            result = publish(warehouse, validation=validation(True, warehouse))
            assert result.published, result.reason
            publish_ids.append(result.publish_id)
        time.sleep(0.3)
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err[-2000:]
    report = json.loads(out.strip().splitlines()[-1])
    assert report["n_errors"] == 0, report["errors"]
    assert report["incomplete"] == [], report["incomplete"]
    assert report["reads"] >= 20
    assert len(report["publishes_seen"]) >= 2  # the reader really read across publishes
    assert report["publishes_seen"][-1] == publish_ids[-1]
    with duckdb.connect(str(warehouse.serving_db), read_only=True) as con:
        assert con.execute("select count(*) from main.fct_indicator_value").fetchall()[0][0] == 200 + 20 * 3


def _old_duckdb(version: str) -> Path:
    """A venv with duckdb==<version>.* (created once with uv, cached under ~/.cache/gongkai)."""
    venv = OLD_DUCKDB_CACHE / f"duckdb-{version}"
    python = venv / "bin" / "python"
    probe = [str(python), "-c", f"import duckdb; assert duckdb.__version__.startswith('{version}.')"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    OLD_DUCKDB_CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run(["uv", "venv", "-q", "--python", "3.11", str(venv)], check=True, capture_output=True)
    subprocess.run(
        ["uv", "pip", "install", "-q", "--python", str(python), f"duckdb=={version}.*"],
        check=True,
        capture_output=True,
    )
    return python


@pytest.mark.slow
@pytest.mark.parametrize("version", ["1.4", "1.5"])
def test_older_duckdb_opens_the_serving_file(warehouse: Settings, version: str) -> None:
    assert publish(warehouse, validation=validation(True, warehouse)).published
    python = _old_duckdb(version)
    code = (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(json.dumps({'version': duckdb.__version__,"
        " 'facts': con.execute('select count(*), sum(value) from main.fct_indicator_value').fetchall()[0],"
        " 'tables': sorted(r[0] for r in con.execute('select table_name from publish_manifest').fetchall())}))\n"
    )
    proc = subprocess.run(
        [str(python), "-c", code, str(warehouse.serving_db)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stdout)
    assert seen["version"].startswith(version + ".")
    assert seen["facts"] == [200, 50 * (0 + 1 + 2 + 3)]
    assert seen["tables"] == ["main.dim_report", "main.fct_indicator_value", "seeds.generations"]
