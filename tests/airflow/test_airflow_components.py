"""A running Airflow like production, without containers: api-server + scheduler + dag-processor
+ Celery worker, metadata in a fresh PostgreSQL database, Redis as the Celery broker, the portal
replica as the portals. Every task runs on the Celery worker, so the backfill runs are also the
CeleryExecutor acceptance run."""

from __future__ import annotations

import dataclasses
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gongkai.config import Settings
from gongkai.orchestration.local import AirflowSetup, LocalAirflow, free_port, prepare_metadata

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.timeout(900)]

# Publication days 2019-01-10, -11, -12 in Asia/Shanghai, as the UI's backfill form sends them (the
# start of the first day to the end of the last): one G1 report published on each
# (002 镇海区经济合作局, 000 镇海区新闻中心, 001 海曙区人民政府).
BACKFILL = {"from_date": "2019-01-10T00:00:00+08:00", "to_date": "2019-01-12T23:59:59+08:00"}
BACKFILL_REPORTS = [("haishu", 2018), ("zhenhai-econ-coop", 2018), ("zhenhai-news-centre", 2018)]


@pytest.fixture(scope="module")
def stack(airflow_pg_db: str, own_tmp: Path) -> Iterator[tuple]:
    from replica.server import start_replica

    root = own_tmp
    replica = start_replica(port=0, faults={"5xx", "429", "reset", "truncated"})
    settings = dataclasses.replace(
        Settings.from_env(home=root / "gongkai"), request_interval=0.0, portal_base_url=replica.base_url
    )
    settings.ensure_dirs()
    queue = f"gongkai_{secrets.token_hex(3)}"  # never share a queue with another suite's worker
    setup = AirflowSetup(
        home=root / "airflow",
        settings=settings,
        sql_alchemy_conn=airflow_pg_db,
        executor="CeleryExecutor",
        api_port=free_port(),
        broker_url=f"redis://127.0.0.1:6379/{secrets.randbelow(15) + 1}",
        result_backend="db+" + airflow_pg_db,
        extra_env={
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
            "AIRFLOW__CELERY__DEFAULT_QUEUE": queue,
            "GONGKAI_RETRY_DELAY_S": "3",
            "GONGKAI_MAX_RETRY_DELAY_S": "10",
        },
    )
    prepare_metadata(setup)
    af = LocalAirflow(setup)
    try:
        af.start(("api-server", "scheduler", "dag-processor", "celery-worker"))
        af.wait_healthy()
        af.wait_for_dag("gongkai_daily")
        af.wait_for_dag("gongkai_publish")  # unpaused: it runs on the staging asset
        yield af, settings, replica, queue
    finally:
        af.stop()
        replica.stop()


def _wait_backfill(af: LocalAirflow, backfill_id: int, timeout: float = 600) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        af.check_alive()
        bf = af.api("GET", f"/backfills/{backfill_id}")
        if bf.get("completed_at"):
            runs = af.api("GET", "/dags/gongkai_daily/dagRuns", params={"limit": 100, "run_type": "backfill"})
            return [r for r in runs["dag_runs"] if r["run_type"] == "backfill"]
        if time.monotonic() > deadline:
            raise TimeoutError(f"backfill {backfill_id} not done: {bf}\n{af.logs('scheduler')}")
        time.sleep(3)


def _backfill(af: LocalAirflow, **extra) -> dict[str, dict]:
    """Create the backfill through the REST API, wait, return {run_id: {tasks, landed}}."""
    body = {"dag_id": "gongkai_daily", **BACKFILL, "max_active_runs": 3, **extra}
    bf = af.api("POST", "/backfills", json=body)
    runs = _wait_backfill(af, bf["id"])
    assert len(runs) == 3, runs
    out = {}
    for r in runs:
        rid = r["dag_run_id"]
        out[rid] = {
            "state": r["state"],
            "logical_date": r["logical_date"],
            "tasks": af.api("GET", f"/dags/gongkai_daily/dagRuns/{rid}/taskInstances")["task_instances"],
            "landed": af.api(
                "GET",
                f"/dags/gongkai_daily/dagRuns/{rid}/taskInstances/land/xcomEntries/return_value",
            )["value"],
        }
    failed = {
        rid: {t["task_id"]: t["state"] for t in o["tasks"]}
        for rid, o in out.items()
        if o["state"] != "success"
    }
    assert not failed, failed
    return out


def _publish_runs(af: LocalAirflow, timeout: float = 600) -> list[dict]:
    """Every gongkai_publish run, once none is queued or running (an asset-triggered run is created
    a scheduler loop after the last staging update)."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while True:
        af.check_alive()
        runs = af.api("GET", "/dags/gongkai_publish/dagRuns", params={"limit": 100})["dag_runs"]
        quiet = quiet + 1 if all(r["state"] not in ("queued", "running") for r in runs) else 0
        if quiet >= 3:
            return runs
        if time.monotonic() > deadline:
            raise TimeoutError(f"publish runs not done: {runs}\n{af.logs('scheduler')}")
        time.sleep(3)


def _task_states(af: LocalAirflow, dag_id: str, run_id: str) -> dict[str, str]:
    tis = af.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances")["task_instances"]
    return {t["task_id"]: t["state"] for t in tis}


def test_backfill_twice_on_celery_with_portal_faults(stack, snapshot, agency_years) -> None:
    af, settings, replica, queue = stack
    # pass 1, with transient portal faults: each run re-discovers exactly its own day's report
    runs = _backfill(af)
    assert sorted(o["logical_date"][:10] for o in runs.values()) == ["2019-01-10", "2019-01-11", "2019-01-12"]
    for o in runs.values():
        assert (o["landed"]["found"], o["landed"]["new"], o["landed"]["failed"]) == (1, 1, 0), o["landed"]
    # every run updated the staging asset; the publish DAG built and published for them
    for o in runs.values():
        assert {t["task_id"]: t["state"] for t in o["tasks"]}["staging_updated"] == "success"
    publishes = _publish_runs(af)
    assert publishes and all(r["state"] == "success" for r in publishes), publishes
    built = [_task_states(af, "gongkai_publish", r["dag_run_id"])["publish"] for r in publishes]
    assert 1 <= built.count("success") <= len(runs), built
    # ... and every task ran on the Celery worker, from our own queue
    tis = [t for o in runs.values() for t in o["tasks"] if t["state"] == "success"]
    assert tis and {t["queue"] for t in tis} == {queue}
    assert "gongkai_daily" in af.logs("celery-worker", tail=1_000_000)
    # the report years come from the reports (the UTC logical dates are a day earlier)
    assert agency_years(settings.serving_db) == BACKFILL_REPORTS
    first = snapshot(settings.serving_db)
    assert first["fct_indicator_value"], "no facts published"

    # pass 2, the same backfill again: the same reports, all unchanged; the warehouse is identical
    replica.set_faults(set())
    runs = _backfill(af, reprocess_behavior="completed")
    for o in runs.values():
        landed = o["landed"]
        assert (landed["found"], landed["new"], landed["revised"], landed["unchanged"]) == (1, 0, 0, 1), (
            landed
        )
        states = {t["task_id"]: t["state"] for t in o["tasks"]}
        assert states["staging_updated"] == "skipped", states  # nothing new: no publish run
    assert len(_publish_runs(af)) == len(publishes)
    assert snapshot(settings.serving_db) == first
