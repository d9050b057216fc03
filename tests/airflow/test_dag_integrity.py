"""Every file in dags/ imports without errors, the DAGs have the agreed shape, and no cycles."""

from __future__ import annotations

import copy

import pendulum
import pytest

from gongkai.config import REPO_ROOT
from gongkai.orchestration.resources import WAREHOUSE_POOL
from gongkai.orchestration.windows import DAILY_CRON

DAGS = ["gongkai_daily", "gongkai_publish", "gongkai_reprocess"]


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO_ROOT / "dags"))


def test_every_dag_file_imports(dagbag) -> None:
    assert dagbag.import_errors == {}
    py_files = sorted(p.name for p in (REPO_ROOT / "dags").glob("*.py"))
    assert py_files == ["gongkai_daily.py", "gongkai_publish.py", "gongkai_reprocess.py"]
    assert sorted(dagbag.dags) == DAGS


@pytest.mark.parametrize("dag_id", DAGS)
def test_no_cycles_and_serialises(dagbag, dag_id: str) -> None:
    from airflow.serialization.serialized_objects import DagSerialization
    from airflow.utils.dag_cycle_tester import check_cycle

    dag = dagbag.dags[dag_id]
    check_cycle(dag)  # raises on a cycle
    restored = DagSerialization.deserialize_dag(DagSerialization.serialize_dag(dag))
    assert sorted(restored.task_ids) == sorted(dag.task_ids)


@pytest.mark.parametrize("dag_id", DAGS)
def test_every_task_is_bounded_in_time(dagbag, dag_id: str) -> None:
    """A hung task (a server that never answers, pagination that never ends) fails and alerts
    instead of holding the one DuckDB slot for ever."""
    from datetime import timedelta

    for task in dagbag.dags[dag_id].tasks:
        assert task.execution_timeout == timedelta(hours=4), task.task_id


def _chain(dag, order: list[str]) -> None:
    for up, down in zip(order, order[1:], strict=False):
        assert down in dag.get_task(up).downstream_task_ids, (up, down)


def test_daily_shape(dagbag) -> None:
    """Acquisition only: per host discover → download, then one land → parse → update the asset."""
    dag = dagbag.dags["gongkai_daily"]
    assert dag.catchup is False and dag.max_active_runs == 1
    assert type(dag.timetable).__name__ == "CronDataIntervalTimetable"
    assert dag.timetable.expression == DAILY_CRON and "Asia/Shanghai" in repr(dag.timetable)
    _chain(dag, ["hosts", "discover", "download", "land", "parse", "staging_updated"])
    assert not {"build", "validate", "publish"} & set(dag.task_ids)
    assert dag.get_task("discover").downstream_task_ids == {"download", "portal_silence"}
    # every DuckDB writer shares the one-slot pool; discovery and downloads write no DuckDB
    for task_id in ("land", "parse"):
        assert dag.get_task(task_id).pool == WAREHOUSE_POOL
    for task_id in ("discover", "download"):
        assert dag.get_task(task_id).pool != WAREHOUSE_POOL
    assert [o.name for o in dag.get_task("staging_updated").outlets] == ["gongkai_staging"]
    for task in dag.tasks:
        assert task.on_failure_callback, task.task_id
    assert dag.get_task("download").retries >= 1
    assert dag.get_task("download").retry_exponential_backoff > 1
    assert set(dag.params.keys()) >= {"since", "until", "portal", "force_build"}


def test_daily_maps_discovery_and_download_per_host_and_lands_once(dagbag) -> None:
    """Discover and download are one mapped task group over the hosts (a host's download waits for
    its own discovery only); one land task in the writer pool lands every host that finished."""
    from airflow.serialization.serialized_objects import DagSerialization

    dag = dagbag.dags["gongkai_daily"]
    for restored in (dag, DagSerialization.deserialize_dag(DagSerialization.serialize_dag(dag))):
        discover, download, land = (restored.get_task(t) for t in ("discover", "download", "land"))
        group = download.get_closest_mapped_task_group()
        assert group is not None and group is discover.get_closest_mapped_task_group()
        assert {t.task_id for t in group.iter_tasks()} == {"discover", "download"}
        assert "hosts" in discover.upstream_task_ids  # mapped over the hosts task's list
        assert land.get_closest_mapped_task_group() is None  # one instance per run
        assert land.upstream_task_ids == {"download"} and land.pool == WAREHOUSE_POOL
        assert land.trigger_rule == "all_done_min_one_success"  # a failed host does not block the others
        assert land.priority_weight == 50


def test_publish_is_scheduled_on_the_staging_asset_with_the_shared_group(dagbag) -> None:
    publish_dag, reprocess = dagbag.dags["gongkai_publish"], dagbag.dags["gongkai_reprocess"]
    assert type(publish_dag.timetable).__name__ == "AssetTriggeredTimetable"
    assert [a.name for a in publish_dag.timetable.asset_condition.objects] == ["gongkai_staging"]
    assert publish_dag.max_active_runs == 1
    for dag in (publish_dag, reprocess):
        _chain(dag, ["build", "validate", "publish"])
        assert set(dag.task_group_dict) == {"warehouse"}
        for task_id in ("build", "validate", "publish"):
            assert dag.get_task(task_id).pool == WAREHOUSE_POOL
            assert dag.get_task(task_id).task_group.group_id == "warehouse"
        assert [o.name for o in dag.get_task("publish").outlets] == ["gongkai_serving_warehouse"]
    _chain(publish_dag, ["daily_runs_settled", "staging_updates", "build"])
    assert publish_dag.get_task("daily_runs_settled").mode == "reschedule"  # holds no worker slot


def test_daily_intervals_are_shanghai_days(dagbag) -> None:
    """A backfill typed 2019-01-10 → 2019-01-12 in a UTC browser makes three one-day runs, one per
    Shanghai publication day, each labelled by its own day (not the day before)."""
    from datetime import timedelta

    from airflow.serialization.serialized_objects import DagSerialization

    from gongkai.orchestration.windows import browser_range, run_window

    dag = DagSerialization.deserialize_dag(DagSerialization.serialize_dag(dagbag.dags["gongkai_daily"]))
    start, end = browser_range(pendulum.date(2019, 1, 10), pendulum.date(2019, 1, 12), timedelta(0))
    infos = list(dag.iter_dagrun_infos_between(pendulum.instance(start), pendulum.instance(end)))
    assert [i.logical_date.in_tz("UTC").date().isoformat() for i in infos] == [
        "2019-01-10",
        "2019-01-11",
        "2019-01-12",
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
    assert set(dag.params.keys()) == {"select"}
    assert not any("discover" in t or "fetch" in t for t in dag.task_ids)  # no network tasks
    _chain(dag, ["selection", "reextract", "reparse", "build"])


def test_reprocess_form_rejects_an_empty_selection_before_the_run(dagbag) -> None:
    """The params schema is what the trigger form and the API check before creating a run."""
    from airflow.sdk.definitions.param import ParamValidationError

    def validate(value: object) -> None:
        params = copy.deepcopy(dagbag.dags["gongkai_reprocess"].params)
        params["select"] = value
        params.validate()

    for ok in ("all", "2018", "2018, 2019 haishu", "zhenhai-news-centre"):
        validate(ok)
    for empty in (None, "", "   ", ", ,"):
        with pytest.raises(ParamValidationError):
            validate(empty)
