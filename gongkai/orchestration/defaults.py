"""Task defaults shared by the DAGs: retries with exponential backoff and the failure callbacks.

Tunable through the environment (tests shorten the delays):
``GONGKAI_TASK_RETRIES`` (3), ``GONGKAI_RETRY_DELAY_S`` (60), ``GONGKAI_MAX_RETRY_DELAY_S`` (1800),
``GONGKAI_SILENCE_DAYS`` (3)."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from gongkai.orchestration.alerts import on_task_failure, on_task_retry

SCHEDULE_CRON = "0 0 * * *"  # daily at midnight, portal time
SCHEDULE_TZ = "Asia/Shanghai"


# Order in which the one DuckDB slot is granted when runs compete (backfills): land and parse
# everything ready first, then finish a warehouse build before starting another — so a later run's
# build usually finds the serving copy current and is skipped.
WRITER_PRIORITY = {
    "fetch_and_land": 50,
    "reextract": 50,
    "parse": 40,
    "reparse": 40,
    "publish": 30,
    "validate": 20,
    "build": 10,
}


def writer(task_id: str) -> dict[str, Any]:
    """Task arguments for a DuckDB writer: the 1-slot pool and an absolute priority."""
    from gongkai.orchestration.tasks import WAREHOUSE_POOL

    return {"pool": WAREHOUSE_POOL, "priority_weight": WRITER_PRIORITY[task_id], "weight_rule": "absolute"}


def _num(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


def default_args() -> dict[str, Any]:
    return {
        "owner": "gongkai",
        "retries": int(_num("GONGKAI_TASK_RETRIES", 3)),
        "retry_delay": timedelta(seconds=_num("GONGKAI_RETRY_DELAY_S", 60)),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(seconds=_num("GONGKAI_MAX_RETRY_DELAY_S", 1800)),
        "on_failure_callback": on_task_failure,
        "on_retry_callback": on_task_retry,
    }


def silence_days() -> float:
    from gongkai.orchestration.silence import DEFAULT_SILENCE_DAYS

    return _num("GONGKAI_SILENCE_DAYS", DEFAULT_SILENCE_DAYS)
