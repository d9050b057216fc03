"""Fixtures for the publishing tests (helpers in ``publish_fixtures.py``)."""

from __future__ import annotations

import pytest
from publish_fixtures import make_warehouse

from gongkai.config import WAREHOUSE_DUCKDB_CONFIG, Settings


@pytest.fixture(params=["file-copy", "re-encoded"])
def warehouse(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """file-copy: a warehouse stored in the serving storage version, as gongkai creates it (published
    by copying the file); re-encoded: one in DuckDB's newest format (published table by table)."""
    make_warehouse(
        settings.warehouse_db, config=WAREHOUSE_DUCKDB_CONFIG if request.param == "file-copy" else None
    )
    return settings
