"""One ``gongkai_daily`` run through Airflow on the embedded default: SQLite metadata in
``airflow_home``, the run executed with ``dag.test()`` in a child process (Airflow reads its
configuration at import, so it never runs inside the caller's process). When the daily run updated
the staging asset, the child runs ``gongkai_publish`` next (what the scheduler would trigger).

``python -m gongkai.orchestration.embedded gongkai_daily '{"since": "2018-01-01"}'`` is the child."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from gongkai.config import Settings
from gongkai.orchestration.local import AirflowSetup, prepare_metadata
from gongkai.orchestration.resources import DAILY_DAG, PUBLISH_DAG
from gongkai.orchestration.windows import PORTAL_TZ

RESULT_MARK = "GONGKAI_RUN_RESULT "
FULL_HISTORY_START = date(2000, 1, 1)


def run_daily_once(
    settings: Settings,
    *,
    since: date | None,
    until: date | None,
    airflow_home: Path,
    extra_env: dict[str, str] | None = None,
    timeout: float = 1200,
) -> dict[str, Any]:
    """Run one ``gongkai_daily`` DAG run for ``[since, until)`` (default: the whole history up to
    today), then ``gongkai_publish`` if it updated staging, and return ``{"state", "run_id",
    "runs": {dag_id: {state, run_id}}, "tasks": {task: state}, "results": {task: xcom},
    "elapsed_s", "prepared"}`` (tasks and results of both runs; ``state`` is the worse of the two).
    Idempotent: the metadata DB is migrated only on the first call."""
    since = since or FULL_HISTORY_START
    until = until or (datetime.now(PORTAL_TZ).date() + timedelta(days=1))
    conf = {"since": since.isoformat(), "until": until.isoformat()}
    return run_dag_once(
        settings, DAILY_DAG, conf, airflow_home=airflow_home, extra_env=extra_env, timeout=timeout
    )


def run_dag_once(
    settings: Settings,
    dag_id: str,
    conf: dict[str, Any],
    *,
    airflow_home: Path,
    extra_env: dict[str, str] | None = None,
    timeout: float = 1200,
) -> dict[str, Any]:
    """One run of ``dag_id`` with ``conf`` via ``dag.test()`` (see :func:`run_daily_once`)."""
    started = time.perf_counter()
    env_extra = {"GONGKAI_RETRY_DELAY_S": "2", "GONGKAI_MAX_RETRY_DELAY_S": "10", **(extra_env or {})}
    setup = AirflowSetup(home=airflow_home, settings=settings, extra_env=env_extra)
    prepared = prepare_metadata(setup)
    proc = subprocess.run(
        [sys.executable, "-m", "gongkai.orchestration.embedded", dag_id, json.dumps(conf)],
        env=setup.env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_MARK)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(
            f"{dag_id} run failed to complete (exit {proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}"
        )
    result = json.loads(lines[-1][len(RESULT_MARK) :])
    result["prepared"] = prepared
    result["elapsed_s"] = round(time.perf_counter() - started, 1)
    (airflow_home / "last_run.log").write_text(proc.stdout + "\n" + proc.stderr, encoding="utf-8")
    return result


def _run_in_child(dag_id: str, conf: dict[str, Any]) -> dict[str, Any]:
    """Inside the configured child: ``dag.test()`` then read back task states and XComs."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(Path(__file__).resolve().parents[2] / "dags"))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    out = _test_run(bag.dags[dag_id], conf)
    if dag_id == DAILY_DAG and out["tasks"].get("staging_updated") == "success":
        then = _test_run(bag.dags[PUBLISH_DAG], {"force_build": bool(conf.get("force_build"))})
        out = {
            "state": out["state"] if then["state"] == "success" else then["state"],
            "run_id": out["run_id"],
            "runs": {**out["runs"], **then["runs"]},
            "tasks": {**out["tasks"], **then["tasks"]},
            "results": {**out["results"], **then["results"]},
        }
    return out


def _test_run(dag: Any, conf: dict[str, Any]) -> dict[str, Any]:
    from airflow import settings as af_settings
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel

    dr = dag.test(logical_date=datetime.now(PORTAL_TZ), run_conf=conf)
    session = af_settings.Session()
    tis = session.query(TaskInstance).filter_by(dag_id=dr.dag_id, run_id=dr.run_id).all()
    tasks = {(t.task_id if t.map_index == -1 else f"{t.task_id}[{t.map_index}]"): str(t.state) for t in tis}
    results: dict[str, Any] = {}
    for row in session.query(XComModel).filter_by(dag_id=dr.dag_id, run_id=dr.run_id, key="return_value"):
        if row.map_index == -1:
            results[row.task_id] = XComModel.deserialize_value(row)
    state = str(dr.state)
    return {
        "state": state,
        "run_id": dr.run_id,
        "runs": {dr.dag_id: {"state": state, "run_id": dr.run_id}},
        "tasks": tasks,
        "results": results,
    }


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dag_id")
    parser.add_argument("conf", help="run conf (params) as JSON")
    args = parser.parse_args(argv)
    out = _run_in_child(args.dag_id, json.loads(args.conf))
    print(RESULT_MARK + json.dumps(out, default=str), flush=True)


if __name__ == "__main__":
    main()
