"""Fixtures for the Airflow tests: an isolated AIRFLOW_HOME for in-process DAG parsing, a fresh
PostgreSQL database per session for tests that start Airflow components."""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

# In-process DAG parsing (integrity test) reads Airflow's configuration at first import: point it
# at a throw-away home before anything imports airflow.
_HOME = tempfile.mkdtemp(prefix="gongkai-airflow-parse-")
atexit.register(shutil.rmtree, _HOME, ignore_errors=True)
os.environ.setdefault("AIRFLOW_HOME", _HOME)
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")

PG = "postgresql+psycopg2://postgres@127.0.0.1:5432"


@pytest.fixture(scope="module")
def own_tmp() -> Iterator[Path]:
    """A temp dir outside pytest's basetemp: other suites' pytest runs on the same host prune old
    basetemps, which must not delete a running Airflow's home. Removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="gongkai-airflow-test-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def airflow_pg_db() -> Iterator[str]:
    """A fresh PostgreSQL database ``gongkai_af_<random>`` per test module (DAG runs one module
    makes, e.g. a backfill over the same days, must not meet another's); dropped afterwards."""
    import sqlalchemy as sa

    name = f"gongkai_af_{secrets.token_hex(4)}"
    admin = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as con:
            con.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required for this test: {exc}")
    try:
        yield f"{PG}/{name}"
    finally:
        with admin.connect() as con:
            con.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            con.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


# the marts whose rows two builds of the same data must reproduce
MARTS = (
    "dim_agency",
    "dim_indicator",
    "dim_report",
    "fct_indicator_value",
    "mart_agency_year",
    "mart_indicator_series",
    "mart_identity_audit",
    "mart_publication_timeliness",
)

# columns that legitimately change between two builds of the same data
VOLATILE = ("loaded_at", "built_at", "published_at", "_at", "run_id")


def _snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every mart's rows (sorted, timestamps of the build itself left out)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out: dict[str, list[tuple]] = {}
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        for mart in MARTS:
            if mart not in tables:
                continue
            cols = [r[0] for r in con.execute(f"describe {mart}").fetchall()]
            keep = [c for c in cols if not c.endswith(VOLATILE)]
            rows = con.execute(f"select {', '.join(keep)} from {mart}").fetchall()
            out[mart] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


def _agency_years(db: Path) -> list[tuple[str, int]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [
            (str(a), int(y))
            for a, y in con.execute(
                "select agency_code, report_year from mart_agency_year order by 1, 2"
            ).fetchall()
        ]
    finally:
        con.close()


@pytest.fixture(scope="session")
def snapshot() -> Callable[[Path], dict[str, list[tuple]]]:
    """Every published mart's rows (sorted; build timestamps left out), for comparing builds."""
    return _snapshot


@pytest.fixture(scope="session")
def agency_years() -> Callable[[Path], list[tuple[str, int]]]:
    """(agency_code, report_year) of mart_agency_year, sorted."""
    return _agency_years
