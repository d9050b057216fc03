"""Fixtures for the gate tests (helpers in ``gate_fixtures.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gate_fixtures import GateWarehouse, build_gate_warehouse

from gongkai.config import Settings


@pytest.fixture(scope="session")
def gate_warehouse(tmp_path_factory: pytest.TempPathFactory) -> GateWarehouse:
    """Built by real dbt from the seeds once per session, validated and published (slow: ~20-40 s)."""
    return build_gate_warehouse(tmp_path_factory.mktemp("gate") / "gongkai")


@pytest.fixture
def gate_copy(gate_warehouse: GateWarehouse, tmp_path: Path) -> Settings:
    """A private copy of the session's staging, warehouse and serving folder, to break on purpose."""
    return gate_warehouse.copy_to(tmp_path / "copy")
