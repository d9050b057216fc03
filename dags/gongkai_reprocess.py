"""gongkai_reprocess (manual): re-extract and re-parse from the raw archive, rebuild, validate,
publish — no network. ``select``: ``all``, or report years and/or agency codes, e.g.
``2018, 2019`` or ``2018 haishu`` (years as the parser read them from the reports). An empty
selection is rejected by the form; one that matches no report fails at once, without retries.

Wiring only: every task body is a function in ``gongkai.orchestration.tasks``."""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from gongkai.orchestration import tasks
from gongkai.orchestration.defaults import SCHEDULE_TZ, default_args, writer
from gongkai.orchestration.groups import warehouse
from gongkai.orchestration.resources import REPROCESS_DAG
from gongkai.orchestration.rules import SELECTION_PATTERN


@dag(
    dag_id=REPROCESS_DAG,
    schedule=None,
    start_date=pendulum.datetime(2017, 1, 1, tz=SCHEDULE_TZ),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    params={
        "select": Param(
            None,
            type="string",
            minLength=1,
            pattern=SELECTION_PATTERN,
            examples=["all", "2018", "2018, 2019", "haishu", "2018 zhenhai-news-centre"],
            description="'all', or report years and/or agency codes (comma or space separated)",
        ),
    },
    tags=["gongkai"],
    doc_md=__doc__,
)
def gongkai_reprocess() -> None:
    @task
    def selection() -> dict:
        return tasks.reprocess_selection(get_current_context()["params"])

    @task(**writer("reextract"))
    def reextract(sel: dict) -> dict:
        return tasks.reextract(sel["document_ids"])

    @task(**writer("reparse"))
    def reparse(sel: dict, extracted: dict) -> dict:
        return {**tasks.parse(reparse=True, document_ids=sel["document_ids"]), "force_build": True}

    sel = selection()
    warehouse(reparse(sel, reextract(sel)))


gongkai_reprocess()
