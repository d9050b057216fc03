"""gongkai_daily: discover (per portal column) → fetch + extract → parse → dbt build → validate →
publish, for the run's data interval in Asia/Shanghai (or the ``since``/``until`` params).

Wiring only: every task body is a function in ``gongkai.orchestration.tasks``."""

from __future__ import annotations

import pendulum
from airflow.sdk import CronDataIntervalTimetable, Param, dag, get_current_context, task

from gongkai.orchestration import tasks
from gongkai.orchestration.assets import SERVING_WAREHOUSE
from gongkai.orchestration.defaults import SCHEDULE_CRON, SCHEDULE_TZ, default_args, silence_days, writer
from gongkai.orchestration.windows import run_window


@dag(
    dag_id="gongkai_daily",
    schedule=CronDataIntervalTimetable(SCHEDULE_CRON, timezone=SCHEDULE_TZ),
    start_date=pendulum.datetime(2017, 1, 1, tz=SCHEDULE_TZ),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    params={
        "since": Param(
            None, type=["null", "string"], format="date", description="override: first publication date (ISO)"
        ),
        "until": Param(
            None,
            type=["null", "string"],
            format="date",
            description="override: day after the last publication date",
        ),
        "portal": Param(None, type=["null", "string"], description="only this portal (default: all)"),
        "force_build": Param(False, type="boolean", description="rebuild even when nothing new was found"),
    },
    tags=["gongkai"],
    doc_md=__doc__,
)
def gongkai_daily() -> None:
    @task
    def window() -> dict:
        ctx = get_current_context()
        w = run_window(ctx["params"], ctx.get("data_interval_start"), ctx.get("data_interval_end"))
        return w.as_params()

    @task
    def columns() -> list[dict]:
        return tasks.list_columns(get_current_context()["params"].get("portal"))

    @task(map_index_template="{{ column_label }}")
    def discover(column: dict, window: dict) -> dict:
        ctx = get_current_context()
        ctx["column_label"] = f"{column['portal']}/{column['column']}"  # type: ignore[typeddict-unknown-key]
        return tasks.discover(column, window, final_try=tasks.is_final_try(ctx))

    @task(**writer("fetch_and_land"))
    def fetch_and_land(discoveries: list[dict]) -> dict:
        ctx = get_current_context()
        return tasks.fetch_and_land(discoveries, ctx["run_id"], final_try=tasks.is_final_try(ctx))

    @task(**writer("parse"))
    def parse(landed: dict) -> dict:
        return tasks.parse()

    @task(**writer("build"))
    def build(parsed: dict) -> dict:
        return tasks.build(force=bool(get_current_context()["params"].get("force_build")))

    @task(**writer("validate"))
    def validate(built: dict) -> dict:
        return tasks.validate()

    @task(**writer("publish"), outlets=[SERVING_WAREHOUSE])
    def publish(validation: dict) -> dict:
        return tasks.publish(validation)

    @task(retries=0)
    def portal_silence(discoveries: list[dict]) -> dict:
        return tasks.check_portal_silence(discoveries, silence_days())

    found = discover.partial(window=window()).expand(column=columns())
    landed = fetch_and_land(found)
    parsed = parse(landed)
    publish(validate(build(parsed)))
    portal_silence(found)


gongkai_daily()
