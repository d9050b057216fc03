"""Runtime settings: every one a typed field, read once from environment variables.

Every path defaults to the embedded layout under ``<repo>/.data`` so that one command runs the
whole job on a laptop; production sets ``GONGKAI_HOME`` (and optionally the individual paths).
:data:`ENV_VARS` names the variable of each field; the README's settings table lists them.
Bottom layer: imports only ``gongkai.errors``.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gongkai.errors import UserError

REPO_ROOT = Path(__file__).resolve().parents[1]

# The oldest DuckDB storage format that BI readers (DuckDB 1.4/1.5 drivers) must open. The warehouse
# is written in it too (dbt's profile reads it from GONGKAI_STORAGE_VERSION, which Settings.env()
# sets, and every gongkai connection that writes it), so that publishing can copy the file as it is.
STORAGE_VERSION = "v1.4.0"
WAREHOUSE_DUCKDB_CONFIG = {"storage_compatibility_version": STORAGE_VERSION}

# field -> environment variable (paths first; every field of Settings is here)
ENV_VARS: dict[str, str] = {
    "home": "GONGKAI_HOME",
    "raw_dir": "GONGKAI_RAW_DIR",
    "staging_db": "GONGKAI_STAGING_DB",
    "warehouse_db": "GONGKAI_WAREHOUSE_DB",
    "serving_dir": "GONGKAI_SERVING_DIR",
    "validation_dir": "GONGKAI_VALIDATION_DIR",
    "portals_file": "GONGKAI_PORTALS",
    "dbt_project_dir": "GONGKAI_DBT_PROJECT_DIR",
    "portal_base_url": "GONGKAI_PORTAL_BASE_URL",
    "request_interval": "GONGKAI_REQUEST_INTERVAL",
    "retry_backoff": "GONGKAI_RETRY_BACKOFF",
    "max_download_bytes": "GONGKAI_MAX_DOWNLOAD_BYTES",
    "fetch_workers": "GONGKAI_FETCH_WORKERS",
    "request_deadline_s": "GONGKAI_REQUEST_DEADLINE_S",
    "max_unzipped_bytes": "GONGKAI_MAX_UNZIPPED_BYTES",
    "max_list_pages": "GONGKAI_MAX_LIST_PAGES",
    "max_fetch_attempts": "GONGKAI_MAX_FETCH_ATTEMPTS",
    "include_synthetic": "GONGKAI_INCLUDE_SYNTHETIC",
    "dbt_target": "GONGKAI_DBT_TARGET",
    "dbt_threads": "GONGKAI_DBT_THREADS",
    "dbt_memory_limit": "GONGKAI_DBT_MEMORY_LIMIT",
    "yoy_factor": "GONGKAI_YOY_FACTOR",
    "gate_chunk_rows": "GONGKAI_GATE_CHUNK_ROWS",
    "gate_full": "GONGKAI_GATE_FULL",
    "task_retries": "GONGKAI_TASK_RETRIES",
    "task_timeout_s": "GONGKAI_TASK_TIMEOUT_S",
    "retry_delay_s": "GONGKAI_RETRY_DELAY_S",
    "max_retry_delay_s": "GONGKAI_MAX_RETRY_DELAY_S",
    "silence_days": "GONGKAI_SILENCE_DAYS",
    "alert_email": "GONGKAI_ALERT_EMAIL",
    "alert_from": "GONGKAI_ALERT_FROM",
    "smtp_host": "GONGKAI_SMTP_HOST",
    "smtp_port": "GONGKAI_SMTP_PORT",
    "serving_postgres_url": "GONGKAI_SERVING_POSTGRES_URL",
    "serving_postgres_schema": "GONGKAI_SERVING_POSTGRES_SCHEMA",
}
_PATHS = ("raw_dir", "staging_db", "warehouse_db", "serving_dir", "validation_dir")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
# the smallest value a numeric setting may take from the environment (and whether it may equal it):
# counts and sizes are at least 1; waits and retries may be 0; a deadline, a timeout is more than 0
_AT_LEAST: dict[str, tuple[float, bool]] = {
    **dict.fromkeys(
        ("request_interval", "retry_backoff", "task_retries", "retry_delay_s", "max_retry_delay_s", "silence_days"),
        (0, True),
    ),
    **dict.fromkeys(
        (
            "max_download_bytes",
            "fetch_workers",
            "max_unzipped_bytes",
            "max_list_pages",
            "max_fetch_attempts",
            "dbt_threads",
            "gate_chunk_rows",
            "smtp_port",
        ),
        (1, True),
    ),
    **dict.fromkeys(("request_deadline_s", "task_timeout_s"), (0, False)),
    "yoy_factor": (1, False),  # a factor of 1 or less would call every change a jump
}


class SettingError(UserError, ValueError):
    """An environment variable that does not parse as its setting's type."""


@dataclass(frozen=True)
class Settings:
    """Where the pipeline reads and writes, and how it behaves. Build with :meth:`from_env`,
    :meth:`at` or directly in tests; every field has an environment variable (:data:`ENV_VARS`)."""

    home: Path
    raw_dir: Path
    staging_db: Path
    warehouse_db: Path
    serving_dir: Path
    validation_dir: Path
    portals_file: Path
    dbt_project_dir: Path
    # acquisition: when set, every portal host is rewritten to this base URL (the local replica)
    portal_base_url: str | None = None
    request_interval: float = 0.5  # seconds between requests to one host (0: tests, benchmarks)
    retry_backoff: float = 0.25  # seconds before the first HTTP retry (doubles each retry)
    max_download_bytes: int = 50 * 1024 * 1024
    fetch_workers: int = 4  # article/attachment downloads in parallel (each host stays polite)
    request_deadline_s: float = 120.0  # one HTTP request's total time, retries and redirects included
    max_unzipped_bytes: int = 100 * 1024 * 1024  # a .docx/.xlsx that unpacks to more is refused
    max_list_pages: int = 500  # list pages read per column and run (pagination that never ends)
    max_fetch_attempts: int = 3  # runs that try a failing report before it is given up (with an alert)
    include_synthetic: bool = False  # list the synthetic (benchmark) portals without naming them
    # warehouse build (dbt profile)
    dbt_target: str = "embedded"
    dbt_threads: int = 2
    dbt_memory_limit: str = "8GB"
    # gate
    yoy_factor: float = 10.0  # a value more than this many times (or under 1/this) last year's warns
    gate_chunk_rows: int = 2_000_000
    gate_full: bool = False  # every gate validates every row (default: what changed since the last pass)
    # orchestration (task retries with exponential backoff; portal-silence alert)
    task_retries: int = 3
    task_timeout_s: float = 4 * 3600.0  # execution_timeout of every DAG task (a hung task fails, alerts)
    retry_delay_s: float = 60.0
    max_retry_delay_s: float = 1800.0
    silence_days: float = 3.0
    # alerts: logged always, e-mailed when alert_email names recipients
    alert_email: tuple[str, ...] = ()
    alert_from: str = "gongkai@localhost"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    # publish: also load every served table into this PostgreSQL database (gongkai.serving_pg)
    serving_postgres_url: str | None = None
    serving_postgres_schema: str = "gongkai"

    @property
    def serving_db(self) -> Path:
        return self.serving_dir / "warehouse.duckdb"

    @property
    def parquet_dir(self) -> Path:
        return self.serving_dir / "parquet"

    @property
    def seeds_dir(self) -> Path:
        return self.dbt_project_dir / "seeds"

    @classmethod
    def from_env(cls, home: Path | str | None = None, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``environ`` (default ``os.environ``); ``home`` overrides ``GONGKAI_HOME``.
        A malformed value raises :class:`SettingError` (a user error) naming the variable."""
        env = os.environ if environ is None else environ

        def path(name: str, default: Path) -> Path:
            value = env.get(ENV_VARS[name])
            return Path(value).expanduser().resolve() if value else default

        base = Path(home).resolve() if home else path("home", REPO_ROOT / ".data")
        values: dict[str, Any] = {
            "home": base,
            "raw_dir": path("raw_dir", base / "raw"),
            "staging_db": path("staging_db", base / "staging.duckdb"),
            "warehouse_db": path("warehouse_db", base / "warehouse.duckdb"),
            "serving_dir": path("serving_dir", base / "serving"),
            "validation_dir": path("validation_dir", base / "validation"),
            "portals_file": path("portals_file", REPO_ROOT / "scrapers" / "portals.yaml"),
            "dbt_project_dir": path("dbt_project_dir", REPO_ROOT / "dbt_project"),
        }
        for f in dataclasses.fields(cls):
            raw = env.get(ENV_VARS[f.name])
            if f.name in values or raw is None or raw == "":
                continue
            values[f.name] = _typed(f.name, f.type, raw)
        return cls(**values)

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
        """Environment variables that reproduce these settings in a subprocess (dbt, Airflow), plus
        ``GONGKAI_STORAGE_VERSION`` for dbt's profile."""
        out = {"GONGKAI_STORAGE_VERSION": STORAGE_VERSION}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None or value == ():
                continue
            if isinstance(value, tuple):
                value = ",".join(value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            out[ENV_VARS[f.name]] = str(value)
        return out


def _typed(name: str, kind: Any, raw: str) -> Any:
    """One environment value converted to the type of field ``name`` (annotations are strings);
    a value of the wrong type, not finite, or below the setting's minimum (``_AT_LEAST``) raises."""
    kind = str(kind)
    try:
        if kind.startswith("tuple"):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        if kind == "bool":
            word = raw.strip().lower()
            if word not in _TRUE + _FALSE:
                raise ValueError(word)
            return word in _TRUE
        if kind in ("int", "float"):
            number = float(raw)  # (an int may be written 1e6)
            if not math.isfinite(number) or (kind == "int" and not number.is_integer()):
                raise ValueError(raw)
            value = int(number) if kind == "int" else number
            low, inclusive = _AT_LEAST.get(name, (-math.inf, True))
            if value < low or (value == low and not inclusive):
                bound = f"at least {low:g}" if inclusive else f"more than {low:g}"
                raise SettingError(f"{ENV_VARS[name]}={raw!r} is out of range: it must be {bound}")
            return value
        if kind == "Path":
            return Path(raw).expanduser().resolve()
    except SettingError:
        raise
    except ValueError as exc:
        shown = {"int": "whole number", "float": "finite number", "bool": f"boolean ({'/'.join(_TRUE + _FALSE)})"}
        raise SettingError(f"{ENV_VARS[name]}={raw!r} is not a valid {shown.get(kind, kind)}") from exc
    return raw
