"""Marts family: dimensions, the fact table and the BI marts. All blocking.

The structural rules — keys unique and not null, foreign keys resolve, accepted values, unique column
combinations — are generated from the dbt contracts (``dbt_project/models/marts/*.yml``, read by
``expectations.contracts``), so they are written once. The gate adds only what the yml files do not
say: report years within range and the grain of ``mart_indicator_series``. Values (counts never
negative, below their ceilings, marts equal to the facts) are checked per document
(``expectations.suites.documents``). Each table is validated on compact frames
(``expectations.compact``): the rows that can fail a key/NOT NULL/foreign-key check, and the distinct
values present with their row counts."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations.compact import fk, table_suite
from expectations.contracts import ModelRules
from expectations.suites.base import GateParams, Suite, blocking

YEAR_COLUMNS = {"dim_year": "year", "dim_report": "report_year", "mart_agency_year": "report_year"}


def _years(table: str, column: str, params: GateParams) -> gx.expectations.Expectation:
    return blocking(
        gxe.ExpectColumnValuesToBeBetween,
        f"{table}.{column} is within 2008..{params.current_year}",
        column=column,
        min_value=2008,
        max_value=params.current_year,
    )


def _extras(table: str, params: GateParams) -> list[gx.expectations.Expectation]:
    """Rules the gate keeps beyond the dbt contracts."""
    extras = []
    if table in YEAR_COLUMNS:
        extras.append(_years(table, YEAR_COLUMNS[table], params))
    if table == "mart_indicator_series":
        grain = ["agency_code", "report_year", "indicator", "applicant"]
        extras.append(
            blocking(
                gxe.ExpectCompoundColumnsToBeUnique, f"({', '.join(grain)}) is unique", column_list=grain
            )
        )
        extras.append(
            blocking(
                gxe.ExpectColumnValuesToBeInSet,
                f"{table}.applicant is one of {', '.join(params.applicants)}",
                column="applicant",
                value_set=list(params.applicants),
            )
        )
    return extras


def model_suite(rules: ModelRules, params: GateParams) -> Suite:
    """The blocking suite of one mart from its dbt contract (plus the gate's extras)."""
    table = rules.name
    exps: list[gx.expectations.Expectation] = []
    for column in rules.unique:
        exps.append(blocking(gxe.ExpectColumnValuesToBeUnique, f"{table}.{column} is unique", column=column))
    for column in rules.not_null:
        exps.append(
            blocking(gxe.ExpectColumnValuesToNotBeNull, f"{table}.{column} is not null", column=column)
        )
    for columns in rules.unique_together:
        exps.append(
            blocking(
                gxe.ExpectCompoundColumnsToBeUnique,
                f"({', '.join(columns)}) is unique in {table}",
                column_list=list(columns),
            )
        )
    for column, values in rules.accepted_values.items():
        exps.append(
            blocking(
                gxe.ExpectColumnValuesToBeInSet,
                f"{table}.{column} is one of {', '.join(map(str, values))}",
                column=column,
                value_set=list(values),
            )
        )
    orphans = [fk(column, parent) for column, parent in rules.relationships.items()]
    for column, parent in rules.relationships.items():
        exps.append(
            blocking(
                gxe.ExpectColumnValuesToBeNull,
                f"{table}.{column} resolves to {parent}.key",
                column=f"orphan_{column}",
            )
        )
    name = table if table.startswith("mart_") else f"mart_{table}"
    full = f"main.{table}"
    delta = params.scope.rel(full)
    return table_suite(
        name,
        "marts",
        full,
        [*exps, *_extras(table, params)],
        orphans=orphans,
        delta=None if delta == full else delta,
    )


def suites(params: GateParams) -> list[Suite]:
    return [model_suite(rules, params) for rules in params.mart_rules.values()]
