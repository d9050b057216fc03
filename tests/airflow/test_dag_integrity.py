"""Every file in dags/ imports without errors, the DAGs have the agreed shape, and no cycles."""

from __future__ import annotations

import pendulum
import pytest

from gongkai.config import REPO_ROOT
from gongkai.orchestration.tasks import WAREHOUSE_POOL


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO_ROOT / "dags"))


def test_every_dag_file_imports(dagbag) -> None:
    assert dagbag.import_errors == {}
    py_files = sorted(p.name for p in (REPO_ROOT / "dags").glob("*.py"))
    assert py_files == ["gongkai_daily.py", "gongkai_reprocess.py"]
    assert sorted(dagbag.dags) == ["gongkai_daily", "gongkai_reprocess"]


@pytest.mark.parametrize("dag_id", ["gongkai_daily", "gongkai_reprocess"])
def test_no_cycles_and_serialises(dagbag, dag_id: str) -> None:
    from airflow.serialization.serialized_objects import DagSerialization
    from airflow.utils.dag_cycle_tester import check_cycle

    dag = dagbag.dags[dag_id]
    check_cycle(dag)  # raises on a cycle
    restored = DagSerialization.deserialize_dag(DagSerialization.serialize_dag(dag))
    assert sorted(restored.task_ids) == sorted(dag.task_ids)


def test_daily_shape(dagbag) -> None:
    dag = dagbag.dags["gongkai_daily"]
    assert dag.catchup is False and dag.max_active_runs == 1
    assert type(dag.timetable).__name__ == "CronDataIntervalTimetable"
    assert dag.timetable.expression == "0 0 * * *" and "Asia/Shanghai" in repr(dag.timetable)
    order = ["fetch_and_land", "parse", "build", "validate", "publish"]
    for up, down in zip(order, order[1:], strict=False):
        assert down in dag.get_task(up).downstream_task_ids
    assert dag.get_task("discover").downstream_task_ids >= {"fetch_and_land", "portal_silence"}
    # every DuckDB writer shares the one-slot pool; discovery is read-only and mapped
    for task_id in order:
        assert dag.get_task(task_id).pool == WAREHOUSE_POOL
    assert dag.get_task("discover").pool != WAREHOUSE_POOL
    assert type(dag.get_task("discover")).__name__.endswith("MappedOperator")
    publish = dag.get_task("publish")
    assert [o.name for o in publish.outlets] == ["gongkai_serving_warehouse"]
    for task in dag.tasks:
        assert task.on_failure_callback, task.task_id
    assert dag.get_task("fetch_and_land").retries >= 1
    assert dag.get_task("fetch_and_land").retry_exponential_backoff > 1
    assert set(dag.params.keys()) >= {"since", "until", "portal", "force_build"}


def test_daily_intervals_are_shanghai_days(dagbag) -> None:
    """A backfill from 2019-01-10 to 2019-01-12 (Shanghai) makes three one-day runs whose
    logical dates in UTC are the day before — the off-by-one the windows must not inherit."""
    from airflow.serialization.serialized_objects import DagSerialization

    from gongkai.orchestration.windows import run_window

    dag = DagSerialization.deserialize_dag(DagSerialization.serialize_dag(dagbag.dags["gongkai_daily"]))
    start = pendulum.datetime(2019, 1, 10, tz="Asia/Shanghai")
    end = pendulum.datetime(2019, 1, 12, tz="Asia/Shanghai")
    infos = list(dag.iter_dagrun_infos_between(start, end))
    assert [i.logical_date.in_tz("UTC").date().isoformat() for i in infos] == [
        "2019-01-09",
        "2019-01-10",
        "2019-01-11",
    ]
    windows = [run_window({}, i.data_interval.start, i.data_interval.end).as_params() for i in infos]
    assert windows == [
        {"since": "2019-01-10", "until": "2019-01-11"},
        {"since": "2019-01-11", "until": "2019-01-12"},
        {"since": "2019-01-12", "until": "2019-01-13"},
    ]


def test_reprocess_shape(dagbag) -> None:
    dag = dagbag.dags["gongkai_reprocess"]
    assert type(dag.timetable).__name__ == "NullTimetable"
    assert set(dag.params.keys()) == {"years", "agencies", "all"}
    assert not any("discover" in t or "fetch" in t for t in dag.task_ids)  # no network tasks
    assert dag.get_task("publish").outlets[0].name == "gongkai_serving_warehouse"
