"""Airflow assets the DAGs emit and consume (imports Airflow: for ``dags/`` only)."""

from __future__ import annotations

from airflow.sdk import Asset

from gongkai.orchestration.resources import STAGING_ASSET_URI, WAREHOUSE_ASSET_URI

STAGING = Asset(name="gongkai_staging", uri=STAGING_ASSET_URI)
SERVING_WAREHOUSE = Asset(name="gongkai_serving_warehouse", uri=WAREHOUSE_ASSET_URI)
