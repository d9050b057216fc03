"""Task defaults shared by the DAGs: retries with exponential backoff and the failure callbacks,
from the typed settings (``GONGKAI_TASK_RETRIES``, ``GONGKAI_RETRY_DELAY_S``,
``GONGKAI_MAX_RETRY_DELAY_S``; tests shorten the delays)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gongkai.config import Settings
from gongkai.orchestration.alerts import on_task_failure, on_task_retry
from gongkai.orchestration.resources import WAREHOUSE_POOL

SCHEDULE_TZ = "Asia/Shanghai"

# Order in which the one DuckDB slot is granted when runs compete (backfills): land and parse
# everything ready first, then finish a warehouse build before starting another — so a later
# publish run usually finds the serving copy current and is skipped.
WRITER_PRIORITY = {
    "land": 50,
    "reextract": 50,
    "parse": 40,
    "reparse": 40,
    "publish": 30,
    "validate": 20,
    "build": 10,
}


def writer(task_id: str) -> dict[str, Any]:
    """Task arguments for a DuckDB writer: the 1-slot pool and an absolute priority."""
    return {"pool": WAREHOUSE_POOL, "priority_weight": WRITER_PRIORITY[task_id], "weight_rule": "absolute"}


def default_args() -> dict[str, Any]:
    s = Settings.from_env()
    return {
        "owner": "gongkai",
        "retries": s.task_retries,
        "retry_delay": timedelta(seconds=s.retry_delay_s),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(seconds=s.max_retry_delay_s),
        "execution_timeout": timedelta(seconds=s.task_timeout_s),
        "on_failure_callback": on_task_failure,
        "on_retry_callback": on_task_retry,
    }


def silence_days() -> float:
    return Settings.from_env().silence_days
