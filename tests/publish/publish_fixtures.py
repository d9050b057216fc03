"""Helpers for the publishing tests: a small warehouse with the marts' shape and validation results
that pass or fail (publishing's input from the gate: ``success``, ``warehouse_stamp``, ``quarantined``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from gongkai.config import Settings
from gongkai.parquet_export import warehouse_stamp
from gongkai.validate import ValidationResult


def make_warehouse(path: Path, reports: int = 50, *, config: dict[str, str] | None = None) -> None:
    """A warehouse with two mart tables, a seed table, a view on staging and the build slice's
    bookkeeping (as dbt leaves it); ``config``: DuckDB settings of the file (its storage version)."""
    with duckdb.connect(str(path), config=config or {}) as con:
        con.execute(
            f"""
            create or replace table main.dim_report as
            select md5('r' || i) as key, 'doc' || i as document_id, 1 as version, 2012 + i % 10 as report_year
            from range({reports}) t(i)
            """
        )
        con.execute(
            """
            create or replace table main.fct_indicator_value as
            select md5(r.key || n) as key, r.key as report_key, 'requests_received' as indicator,
                   cast(n as double) as value
            from main.dim_report r, range(4) t(n)
            """
        )
        con.execute("create schema if not exists seeds")
        con.execute("create or replace table seeds.generations as select 'G1' as generation")
        con.execute("create schema if not exists stg")
        con.execute("create or replace view stg.stg_reports as select * from main.dim_report")
        con.execute("create schema if not exists build_state")
        con.execute("create or replace table build_state.slice as select document_id from main.dim_report")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def validation(success: bool, settings: Settings | None = None, **fields: object) -> ValidationResult:
    """A gate verdict; about the warehouse file of ``settings`` as it is now when given (publish
    re-runs the gate on a verdict without that stamp, or one the file no longer matches)."""
    stamp = warehouse_stamp(settings.warehouse_db) if settings is not None else ""
    result = ValidationResult(
        success=success,
        blocking_failed=0 if success else 1,
        warnings=0,
        run_id="test-run-ok" if success else "test-run-failed",
        results_path="",
        data_docs_path="",
        warehouse_stamp=stamp,
    )
    for name, value in fields.items():
        setattr(result, name, value)
    return result
