"""gongkai_publish: dbt build → validate → publish, scheduled on the ``gongkai_staging`` asset.

Every ``gongkai_daily`` run that landed or parsed something updates that asset. A publish run first
waits until no daily run is queued or running (a backfill's runs are all queued at its start), then
builds once for every update since the previous publish: a backfill of many days builds a few times,
not once per day. Runs queued meanwhile find the serving copy current and skip the build. Trigger
it by hand with ``force_build`` to rebuild regardless.

Wiring only: every task body is a function in ``gongkai.orchestration.tasks``."""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, PokeReturnValue, dag, get_current_context, task

from gongkai.orchestration import tasks
from gongkai.orchestration.assets import STAGING
from gongkai.orchestration.defaults import SCHEDULE_TZ, default_args
from gongkai.orchestration.groups import warehouse
from gongkai.orchestration.resources import PUBLISH_DAG


@dag(
    dag_id=PUBLISH_DAG,
    schedule=[STAGING],
    start_date=pendulum.datetime(2017, 1, 1, tz=SCHEDULE_TZ),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    params={"force_build": Param(False, type="boolean", description="rebuild even when nothing changed")},
    tags=["gongkai"],
    doc_md=__doc__,
)
def gongkai_publish() -> None:
    @task.sensor(poke_interval=30, timeout=12 * 3600, mode="reschedule")
    def daily_runs_settled() -> PokeReturnValue:
        return tasks.daily_runs_settled()

    @task
    def staging_updates() -> dict:
        ctx = get_current_context()
        return tasks.staging_updates(
            ctx.get("triggering_asset_events"), force=bool(ctx["params"].get("force_build"))
        )

    updates = staging_updates()
    daily_runs_settled() >> updates
    warehouse(updates)


gongkai_publish()
