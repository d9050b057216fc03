"""Fixtures for the hostile acquisition tests: settings aimed at the replica, quick retries."""

from __future__ import annotations

import dataclasses

import pytest

from gongkai.config import Settings


@pytest.fixture
def scrape_settings(settings: Settings, replica) -> Settings:
    """Settings aimed at the running replica, with short retry back-off."""
    return dataclasses.replace(settings, portal_base_url=replica.base_url, retry_backoff=0.01)
