"""Helpers of the dbt tests (a module, not conftest, so test modules can import it)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import duckdb

from gongkai.build import BuildResult
from gongkai.config import REPO_ROOT, Settings

MODELS_DIR = REPO_ROOT / "dbt_project" / "models"
# every mart: the models with a contract in models/marts/
MARTS = tuple(sorted(p.stem for p in (MODELS_DIR / "marts").glob("*.yml")))


def make_settings(home: Path) -> Settings:
    return Settings.at(home)


def query(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@dataclasses.dataclass
class SeedWarehouse:
    settings: Settings
    build: BuildResult
    document_ids: list[str]

    def q(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        return query(self.settings.warehouse_db, sql, params)

    def copy_to(self, home: Path) -> Settings:
        """A fresh home holding copies of this staging and warehouse (for tests that change data)."""
        s = make_settings(home)
        shutil.copy(self.settings.staging_db, s.staging_db)
        shutil.copy(self.settings.warehouse_db, s.warehouse_db)
        return s
