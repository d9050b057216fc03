"""Superset settings for the gongkai BI service (secrets and paths from the environment)."""

import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = os.environ.get(
    "SUPERSET_METADATA_URI", "sqlite:////app/superset_home/superset.db"
)
PREVENT_UNSAFE_DB_CONNECTIONS = False  # allow the duckdb:// serving copy
# a BI server reading a read-only DuckDB file: no example data, no telemetry, no rate limits in tests
SUPERSET_LOAD_EXAMPLES = False
RATELIMIT_ENABLED = False
WTF_CSRF_ENABLED = os.environ.get("SUPERSET_CSRF", "true").lower() == "true"
TALISMAN_ENABLED = False
# small dashboards: draw every chart at once (virtualization leaves off-screen charts empty in screenshots)
FEATURE_FLAGS = {"DASHBOARD_RBAC": False, "ALERT_REPORTS": False, "DASHBOARD_VIRTUALIZATION": False}


def DB_CONNECTION_MUTATOR(url, params, username, security_manager, source):  # noqa: N802 (Superset's name)
    """Open the published snapshot's own file, not the stable symlink: DuckDB keeps one database
    instance per path in a process, so a path that outlives a publish would keep serving the
    replaced snapshot. ``serving/warehouse.duckdb`` resolves through ``serving/current`` to
    ``serving/snapshots/<id>/warehouse.duckdb``; every new connection resolves it again."""
    if url.drivername.startswith("duckdb") and url.database and url.database != ":memory:":
        url = url.set(database=os.path.realpath(url.database))
    return url, params
