"""Names the DAGs, the local Airflow and the tests share: the DuckDB writer pool and the asset URIs.
Imports nothing, so any orchestration module may import it."""

from __future__ import annotations

WAREHOUSE_POOL = "gongkai_duckdb"  # 1 slot: every DuckDB writer task runs in it
STAGING_ASSET_URI = "file:///gongkai/staging.duckdb"  # updated when a run landed or parsed something
WAREHOUSE_ASSET_URI = "file:///gongkai/serving/warehouse.duckdb"  # updated on every publish

DAILY_DAG = "gongkai_daily"
PUBLISH_DAG = "gongkai_publish"
REPROCESS_DAG = "gongkai_reprocess"
