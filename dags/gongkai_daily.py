"""gongkai_daily: per portal host (a mapped task group, one instance per host): discover → download
(pages + attachments into the raw archive and the run's spool; no DuckDB write, so hosts run in
parallel across workers, each polite) → then one land (the DuckDB writer: every host's manifest
into staging) → parse → update the staging asset, for the run's data interval in Asia/Shanghai
(or the ``since``/``until`` params). A run that landed or parsed something updates the ``gongkai_staging`` asset; the
``gongkai_publish`` DAG, scheduled on it, then builds, gates and publishes once for however many
runs landed since (a backfill of many days → a few builds).

Wiring only: every task body is a function in ``gongkai.orchestration.tasks``."""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, TriggerRule, dag, get_current_context, task, task_group

from gongkai.orchestration import tasks
from gongkai.orchestration.assets import STAGING
from gongkai.orchestration.defaults import SCHEDULE_TZ, default_args, silence_days, writer
from gongkai.orchestration.resources import DAILY_DAG
from gongkai.orchestration.windows import DATE_MAPPING_DOC, daily_timetable, run_window


@dag(
    dag_id=DAILY_DAG,
    schedule=daily_timetable(),  # one run per Asia/Shanghai publication day (see windows.py)
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
        "force_build": Param(
            False,
            type="boolean",
            description="update the staging asset (→ a publish run) even when nothing new",
        ),
    },
    tags=["gongkai"],
    doc_md=(__doc__ or "") + DATE_MAPPING_DOC,
)
def gongkai_daily() -> None:
    @task
    def window() -> dict:
        ctx = get_current_context()
        with tasks.user_errors():
            w = run_window(ctx["params"], ctx.get("data_interval_start"), ctx.get("data_interval_end"))
        return w.as_params()

    @task
    def hosts() -> list[dict]:
        return tasks.list_hosts(get_current_context()["params"].get("portal"))

    @task(map_index_template="{{ host_label }}")
    def discover(host: dict, window: dict) -> dict:
        ctx = get_current_context()
        ctx["host_label"] = host["host"]  # type: ignore[typeddict-unknown-key]
        return tasks.discover_host(host, window, final_try=tasks.is_final_try(ctx))

    @task(map_index_template="{{ host_label }}")
    def download(found: dict) -> dict:
        ctx = get_current_context()
        ctx["host_label"] = found["host"]  # type: ignore[typeddict-unknown-key]
        return tasks.download_host(found, ctx["run_id"], final_try=tasks.is_final_try(ctx))

    # lands every host whose download finished, even when another host's download failed
    @task(trigger_rule=TriggerRule.ALL_DONE_MIN_ONE_SUCCESS, **writer("land"))
    def land() -> dict:
        return tasks.land(get_current_context()["run_id"])

    @task(**writer("parse"))
    def parse(landed: dict) -> dict:
        return tasks.parse()

    @task(outlets=[STAGING])
    def staging_updated(landed: dict, parsed: dict) -> dict:
        ctx = get_current_context()
        force = bool(ctx["params"].get("force_build"))
        updated = tasks.announce_staging(landed, parsed, force=force)
        ctx["outlet_events"][STAGING].extra = {"force_build": force}
        return updated

    @task(retries=0)
    def portal_silence(per_host: list[dict]) -> dict:
        return tasks.check_portal_silence([d for h in per_host for d in h["discoveries"]], silence_days())

    landed = land()

    # one instance per host: a host's download waits for its own discovery only
    @task_group(prefix_group_id=False)
    def per_host(host: dict, window: dict):
        found = discover(host, window)
        download(found) >> landed
        return found

    found = per_host.partial(window=window()).expand(host=hosts())
    staging_updated(landed, parse(landed))
    portal_silence(found)


gongkai_daily()
