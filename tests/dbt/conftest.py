"""One warehouse built by real dbt from the five real seed reports, shared by the dbt tests.

The seeds go into a temporary staging DuckDB (gongkai.fixtures_loader), the real parser parses
them, ``dbt_build`` builds the warehouse once per session; tests that change data copy it first.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from dbt_test_helpers import SeedWarehouse, make_settings

from gongkai.build import dbt_build
from gongkai.config import Settings


@pytest.fixture(scope="session")
def seed_warehouse(tmp_path_factory: pytest.TempPathFactory) -> SeedWarehouse:
    from gongkai.fixtures_loader import load_seed_reports

    settings = make_settings(tmp_path_factory.mktemp("dbt-seeds") / "gongkai")
    ids = load_seed_reports(settings)
    return SeedWarehouse(settings, dbt_build(settings), ids)


@pytest.fixture
def copy_warehouse(seed_warehouse: SeedWarehouse, tmp_path: Path) -> Callable[[], Settings]:
    return lambda: seed_warehouse.copy_to(tmp_path / "copy")
