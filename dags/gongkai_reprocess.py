"""gongkai_reprocess (manual): re-extract and re-parse from the raw archive, rebuild, validate,
publish — no network. Choose report years and/or agency codes, or ``all``.

Wiring only: every task body is a function in ``gongkai.orchestration.tasks``."""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from gongkai.orchestration import tasks
from gongkai.orchestration.assets import SERVING_WAREHOUSE
from gongkai.orchestration.defaults import default_args, writer


@dag(
    dag_id="gongkai_reprocess",
    schedule=None,
    start_date=pendulum.datetime(2017, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    params={
        "years": Param(
            [], type="array", items={"type": "integer"}, description="report years (from the report text)"
        ),
        "agencies": Param(
            [],
            type="array",
            items={"type": "string"},
            description="agency codes, e.g. haishu, zhenhai-news-centre",
        ),
        "all": Param(False, type="boolean", description="reprocess every report in the archive"),
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
        return tasks.reextract(sel["years"], sel["agencies"])

    @task(**writer("reparse"))
    def reparse(sel: dict, extracted: dict) -> dict:
        return tasks.parse(reparse=True, document_ids=tasks.select_documents(sel["years"], sel["agencies"]))

    @task(**writer("build"))
    def build(parsed: dict) -> dict:
        return tasks.build(force=True)

    @task(**writer("validate"))
    def validate(built: dict) -> dict:
        return tasks.validate()

    @task(**writer("publish"), outlets=[SERVING_WAREHOUSE])
    def publish(validation: dict) -> dict:
        return tasks.publish(validation)

    sel = selection()
    publish(validate(build(reparse(sel, reextract(sel)))))


gongkai_reprocess()
