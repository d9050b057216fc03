"""Airflow assets the DAGs emit (imports Airflow: for ``dags/`` only)."""

from __future__ import annotations

from airflow.sdk import Asset

from gongkai.orchestration.tasks import WAREHOUSE_ASSET_URI

SERVING_WAREHOUSE = Asset(name="gongkai_serving_warehouse", uri=WAREHOUSE_ASSET_URI)
