"""gongkai_publish: dbt build → validate → publish, scheduled on the ``gongkai_staging`` asset.

Every ``gongkai_daily`` run that landed or parsed something updates that asset; one publish run
covers every update since the previous one, so a backfill of many days builds a few times, not
once per day. The build is skipped when the serving copy was already published from what staging
holds. Trigger it by hand with ``force_build`` to rebuild regardless.

Wiring only: every task body is a function in ``gongkai.orchestration.tasks``."""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

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
    @task(retries=0)
    def staging_updates() -> dict:
        ctx = get_current_context()
        return tasks.staging_updates(
            ctx.get("triggering_asset_events"), force=bool(ctx["params"].get("force_build"))
        )

    warehouse(staging_updates())


gongkai_publish()
