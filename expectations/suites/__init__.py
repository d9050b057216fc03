"""Suites kept as code, one module per table family: ``staging`` (documents, texts, parse results,
cells, checks), ``marts`` (dimensions, facts, marts: generated from the dbt contracts),
``reconcile`` (counts across the layers, the build finished cleanly) and ``warnings`` (the reports'
own arithmetic, prose vs table, year-over-year jumps). ``documents`` holds the per-document checks
(a failing document is quarantined, not the warehouse), run by ``gongkai.validate`` outside GX.

Severity: an expectation built with :func:`blocking` (GX severity ``critical``) stops publishing;
one built with :func:`warning` (GX severity ``warning``) is recorded and shown, never blocks.
"""

from __future__ import annotations

from expectations.suites.base import (
    APPLICANTS,
    COUNT_UNITS,
    FIRST_REPORT_YEAR,
    GENERATIONS,
    GateParams,
    Part,
    Suite,
    blocking,
    sql_list,
    warning,
)

__all__ = [
    "APPLICANTS",
    "COUNT_UNITS",
    "FIRST_REPORT_YEAR",
    "GENERATIONS",
    "GateParams",
    "Part",
    "Suite",
    "all_suites",
    "blocking",
    "sql_list",
    "warning",
]


def all_suites(params: GateParams) -> list[Suite]:
    """Every suite of the gate, staging first, in the order they run."""
    from expectations.suites import marts, reconcile, staging, warnings

    return [
        *staging.suites(params),
        *marts.suites(params),
        *reconcile.suites(params),
        *warnings.suites(params),
    ]
