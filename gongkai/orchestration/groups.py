"""The build → validate → publish task group that ``gongkai_publish`` and ``gongkai_reprocess``
share (imports Airflow: for ``dags/`` only). Task ids stay ``build``, ``validate``, ``publish``."""

from __future__ import annotations

from typing import Any

from airflow.sdk import task, task_group

from gongkai.orchestration import tasks
from gongkai.orchestration.assets import SERVING_WAREHOUSE
from gongkai.orchestration.defaults import writer


@task_group(group_id="warehouse", prefix_group_id=False)
def warehouse(ready: Any) -> None:
    """``ready``: the upstream task's dict; its ``force_build`` rebuilds even when nothing changed."""

    @task(**writer("build"))
    def build(ready: dict) -> dict:
        return tasks.build(force=bool((ready or {}).get("force_build")))

    @task(**writer("validate"))
    def validate(built: dict) -> dict:
        return tasks.validate(built)

    @task(**writer("publish"), outlets=[SERVING_WAREHOUSE])
    def publish(validation: dict) -> dict:
        return tasks.publish(validation)

    publish(validate(build(ready)))
