"""Fixtures for the publishing tests (helpers in ``publish_fixtures.py``)."""

from __future__ import annotations

import pytest
from publish_fixtures import make_warehouse

from gongkai.config import Settings


@pytest.fixture
def warehouse(settings: Settings) -> Settings:
    make_warehouse(settings.warehouse_db)
    return settings
