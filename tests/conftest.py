"""Fixtures shared by every test package. Area-specific fixtures live in tests/<area>/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongkai.config import REPO_ROOT, Settings

SEED_DIR = REPO_ROOT / "fixtures" / "reports"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings rooted in a fresh temporary directory, politeness delay off."""
    return Settings.at(tmp_path / "gongkai")


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    """The five real reports as raw text, keyed by file stem (e.g. ``001_ea52101856a8af1f``)."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEED_DIR.glob("*.txt"))}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Inside the fresh-clone end-to-end test the suite runs again; skip its slow tests there
    (they already run in the outer suite, and the e2e test must not recurse into itself)."""
    import os

    if os.environ.get("GONGKAI_E2E_INNER") != "1":
        return
    skip = pytest.mark.skip(reason="slow test: runs in the outer suite, not inside the fresh-clone e2e run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def replica():
    """The portal replica on a free port (no faults; ``replica.set_faults({...})`` to inject some).

    Point the scrapers at it with ``dataclasses.replace(settings, portal_base_url=replica.base_url)``.
    """
    from replica.server import start_replica

    server = start_replica(0)
    try:
        yield server
    finally:
        server.stop()
