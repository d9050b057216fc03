"""Backfill benchmark: how many warehouse builds a backfill runs, and its wall time.

    .venv/bin/python -m benchmarks.backfill_bench [DAYS] [REPORT_DAYS]

A real local Airflow (api-server, scheduler, dag-processor; LocalExecutor; metadata in a fresh
PostgreSQL database at 127.0.0.1:5432) and the portal replica serving ``REPORT_DAYS`` synthetic
reports, one a day from 2019-01-01. The backfill of ``gongkai_daily`` covers ``DAYS`` publication
days ending with the last report day (default 60 days, reports on 30 of them), with the run param
``portal: synthetic``. Counted: the runs of every gongkai DAG, the ``build`` task instances that ran
(succeeded) or were skipped, and the wall time from creating the backfill until no gongkai run is
queued or running.

The script only uses APIs that the layout before the publish DAG had too, so it also measures an
older checkout: ``PYTHONPATH=/path/to/old/tree python benchmarks/backfill_bench.py``.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

PG = "postgresql+psycopg2://postgres@127.0.0.1:5432"
FIRST_REPORT_DAY = date(2019, 1, 1)  # replica: synthetic report i is published on this day + i
DAGS = ("gongkai_daily", "gongkai_publish")


def _create_db() -> tuple[str, Any]:
    import sqlalchemy as sa

    name = f"gongkai_bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as con:
        con.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as con:
            con.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            con.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return f"{PG}/{name}", drop


def _backfill_range(first: date, last: date) -> tuple[str, str]:
    """From/to instants holding the runs of publication days ``first``…``last``: the start of the
    first and the end of the last day in Asia/Shanghai (a run's logical date lies in its day under
    both the midnight and the later anchoring of the daily timetable)."""
    shanghai = ZoneInfo("Asia/Shanghai")
    start = datetime.combine(first, datetime.min.time(), shanghai)
    end = datetime.combine(last, datetime.max.time().replace(microsecond=0), shanghai)
    return start.astimezone(ZoneInfo("UTC")).isoformat(), end.astimezone(ZoneInfo("UTC")).isoformat()


def _runs(af: Any, dag_id: str) -> list[dict]:
    try:
        return af.api("GET", f"/dags/{dag_id}/dagRuns", params={"limit": 1000})["dag_runs"]
    except RuntimeError:
        return []  # the DAG does not exist in this layout


def _build_states(af: Any, dag_id: str, runs: list[dict]) -> list[str]:
    states = []
    for r in runs:
        tis = af.api("GET", f"/dags/{dag_id}/dagRuns/{r['dag_run_id']}/taskInstances")["task_instances"]
        states += [str(t["state"]) for t in tis if t["task_id"] == "build"]
    return states


def run(days: int = 60, report_days: int = 30, timeout: float = 5400) -> dict[str, Any]:
    from gongkai.config import Settings
    from gongkai.orchestration.local import (
        DAGS_FOLDER,
        AirflowSetup,
        LocalAirflow,
        free_port,
        prepare_metadata,
    )
    from replica.server import start_replica

    last = FIRST_REPORT_DAY + timedelta(days=report_days - 1)
    first = last - timedelta(days=days - 1)
    conn, drop_db = _create_db()
    replica = start_replica(0, synthetic=report_days)
    root = Path(tempfile.mkdtemp(prefix="gongkai-backfill-bench-"))
    settings = dataclasses.replace(
        Settings.from_env(home=root / "gongkai"), request_interval=0.0, portal_base_url=replica.base_url
    )
    if "include_synthetic" in {f.name for f in dataclasses.fields(settings)}:
        # the warehouse keeps the synthetic reports (as builds before that setting did)
        settings = dataclasses.replace(settings, include_synthetic=True)
    settings.ensure_dirs()
    setup = AirflowSetup(
        home=root / "airflow",
        settings=settings,
        sql_alchemy_conn=conn,
        executor="LocalExecutor",
        api_port=free_port(),
        extra_env={"GONGKAI_RETRY_DELAY_S": "3", "GONGKAI_MAX_RETRY_DELAY_S": "10"},
    )
    af = LocalAirflow(setup)
    try:
        prepare_metadata(setup)
        af.start(("api-server", "scheduler", "dag-processor"))
        af.wait_healthy()
        present = [d for d in DAGS if (DAGS_FOLDER / f"{d}.py").exists()]
        for dag_id in present:
            af.wait_for_dag(dag_id)  # and unpause it
        from_date, to_date = _backfill_range(first, last)
        started = time.perf_counter()
        import requests

        body = {
            "dag_id": "gongkai_daily",
            "from_date": from_date,
            "to_date": to_date,
            "max_active_runs": 3,
            "dag_run_conf": {"portal": "synthetic"},
        }
        # creating the runs can take longer than LocalAirflow.api's timeout on a busy machine
        r = requests.post(
            f"{setup.base_url}/api/v2/backfills",
            json=body,
            headers={"Authorization": f"Bearer {af.token()}"},
            timeout=1200,
        )
        r.raise_for_status()
        bf = r.json()
        deadline = time.monotonic() + timeout
        while True:
            af.check_alive()
            try:
                done = bool(af.api("GET", f"/backfills/{bf['id']}").get("completed_at"))
                active = [r for d in present for r in _runs(af, d) if r["state"] in ("queued", "running")]
                if done and not active:
                    time.sleep(8)  # an asset-triggered run may be created a scheduler loop later
                    if not [r for d in present for r in _runs(af, d) if r["state"] in ("queued", "running")]:
                        break
            except requests.RequestException as exc:  # a slow answer on a busy machine: ask again
                print(f"api: {exc}", file=sys.stderr)
            if time.monotonic() > deadline:
                raise TimeoutError(f"backfill not finished after {timeout}s")
            time.sleep(3)
        wall = time.perf_counter() - started
        out: dict[str, Any] = {
            "days": days,
            "report_days": report_days,
            "backfill": [from_date, to_date],
            "wall_s": round(wall, 1),
            "dags": {},
        }
        builds = 0
        for dag_id in present:
            runs = _runs(af, dag_id)
            states = _build_states(af, dag_id, runs)
            builds += states.count("success")
            out["dags"][dag_id] = {
                "runs": len(runs),
                "run_states": sorted({r["state"] for r in runs}),
                "build_success": states.count("success"),
                "build_skipped": states.count("skipped"),
                "build_other": len(states) - states.count("success") - states.count("skipped"),
            }
        out["builds"] = builds
        import duckdb

        with duckdb.connect(str(settings.serving_db), read_only=True) as con:
            out["reports_published"] = con.execute("select count(*) from dim_report").fetchone()[0]
        return out
    finally:
        af.stop()
        replica.stop()
        drop_db()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    print(json.dumps(run(*args), indent=2))
