"""Runtime settings, read once from environment variables.

Every path defaults to the embedded layout under ``<repo>/.data`` so that one command runs the
whole job on a laptop; production sets ``GONGKAI_HOME`` (and optionally the individual paths).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

# The oldest DuckDB storage format that BI readers (DuckDB 1.4/1.5 drivers) must open. The warehouse
# is written in it too (dbt's profile, and every gongkai connection that writes it), so that
# publishing can copy the file as it is instead of re-encoding every table.
STORAGE_VERSION = "v1.4.0"
WAREHOUSE_DUCKDB_CONFIG = {"storage_compatibility_version": STORAGE_VERSION}


def _path(env: str, default: Path) -> Path:
    value = os.environ.get(env)
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Settings:
    """Where the pipeline reads and writes. Build with :meth:`from_env` or directly in tests."""

    home: Path
    raw_dir: Path
    staging_db: Path
    warehouse_db: Path
    serving_dir: Path
    validation_dir: Path
    portals_file: Path
    dbt_project_dir: Path
    # When set, every portal host is rewritten to this base URL (the local replica).
    portal_base_url: str | None = None
    # Politeness: seconds between requests to one host (0 disables, for tests/benchmarks).
    request_interval: float = 0.5
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def serving_db(self) -> Path:
        return self.serving_dir / "warehouse.duckdb"

    @property
    def parquet_dir(self) -> Path:
        return self.serving_dir / "parquet"

    @classmethod
    def from_env(cls, home: Path | str | None = None) -> Settings:
        base = Path(home).resolve() if home else _path("GONGKAI_HOME", REPO_ROOT / ".data")
        return cls(
            home=base,
            raw_dir=_path("GONGKAI_RAW_DIR", base / "raw"),
            staging_db=_path("GONGKAI_STAGING_DB", base / "staging.duckdb"),
            warehouse_db=_path("GONGKAI_WAREHOUSE_DB", base / "warehouse.duckdb"),
            serving_dir=_path("GONGKAI_SERVING_DIR", base / "serving"),
            validation_dir=_path("GONGKAI_VALIDATION_DIR", base / "validation"),
            portals_file=_path("GONGKAI_PORTALS", REPO_ROOT / "scrapers" / "portals.yaml"),
            dbt_project_dir=_path("GONGKAI_DBT_PROJECT_DIR", REPO_ROOT / "dbt_project"),
            portal_base_url=os.environ.get("GONGKAI_PORTAL_BASE_URL") or None,
            request_interval=float(os.environ.get("GONGKAI_REQUEST_INTERVAL", "0.5")),
        )

    @classmethod
    def at(cls, home: Path | str, *, request_interval: float = 0.0) -> Settings:
        """Every data path rooted in ``home``, ignoring per-path environment overrides (tests,
        benchmarks, isolated runs). Code and registry paths still come from the environment."""
        base = Path(home).resolve()
        s = dataclasses.replace(
            cls.from_env(home=base),
            raw_dir=base / "raw",
            staging_db=base / "staging.duckdb",
            warehouse_db=base / "warehouse.duckdb",
            serving_dir=base / "serving",
            validation_dir=base / "validation",
            request_interval=request_interval,
        )
        s.ensure_dirs()
        return s

    def ensure_dirs(self) -> None:
        for d in (self.home, self.raw_dir, self.serving_dir, self.validation_dir):
            d.mkdir(parents=True, exist_ok=True)
        self.staging_db.parent.mkdir(parents=True, exist_ok=True)
        self.warehouse_db.parent.mkdir(parents=True, exist_ok=True)

    def env(self) -> dict[str, str]:
        """Environment variables that reproduce these settings in a subprocess (dbt, Airflow)."""
        out = {
            "GONGKAI_HOME": str(self.home),
            "GONGKAI_RAW_DIR": str(self.raw_dir),
            "GONGKAI_STAGING_DB": str(self.staging_db),
            "GONGKAI_WAREHOUSE_DB": str(self.warehouse_db),
            "GONGKAI_SERVING_DIR": str(self.serving_dir),
            "GONGKAI_VALIDATION_DIR": str(self.validation_dir),
            "GONGKAI_PORTALS": str(self.portals_file),
            "GONGKAI_DBT_PROJECT_DIR": str(self.dbt_project_dir),
            "GONGKAI_REQUEST_INTERVAL": str(self.request_interval),
        }
        if self.portal_base_url:
            out["GONGKAI_PORTAL_BASE_URL"] = self.portal_base_url
        return out
