"""Marts family: dimensions, the fact table and the BI marts (contracts:
``dbt_project/models/marts/*.yml``). All blocking: keys unique and not null, foreign keys resolve,
accepted values, report years in range, counts never negative. Each table is validated on compact
frames (``expectations.compact``): the rows that can fail a key/NOT NULL/foreign-key check, and the
distinct values present with their row counts."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations.compact import Orphan, fk, table_suite
from expectations.suites import GENERATIONS, GateParams, Suite, blocking, sql_list


def _key(table: str, column: str = "key") -> list[gx.expectations.Expectation]:
    return [
        blocking(gxe.ExpectColumnValuesToBeUnique, f"{table}.{column} is unique", column=column),
        blocking(gxe.ExpectColumnValuesToNotBeNull, f"{table}.{column} is not null", column=column),
    ]


def _fks(table: str, fks: dict[str, str]) -> tuple[list[Orphan], list[gx.expectations.Expectation]]:
    """One ``orphan_<column>`` per foreign key (the key when it does not resolve, else NULL)."""
    orphans = [fk(column, parent) for column, parent in fks.items()]
    exps = [
        blocking(
            gxe.ExpectColumnValuesToBeNull,
            f"{table}.{column} resolves to {parent}.key",
            column=f"orphan_{column}",
        )
        for column, parent in fks.items()
    ]
    return orphans, exps


def _suite(
    name: str,
    table: str,
    expectations: list[gx.expectations.Expectation],
    fks: dict[str, str] | None = None,
    **kwargs: object,
) -> Suite:
    orphans, fk_exps = _fks(table, fks or {})
    return table_suite(
        name,
        "marts",
        f"main.{table}",
        [*expectations, *fk_exps],
        orphans=orphans,
        **kwargs,  # type: ignore[arg-type]
    )


def _in_set(table: str, column: str, values: list[str] | tuple[str, ...]) -> gx.expectations.Expectation:
    return blocking(
        gxe.ExpectColumnValuesToBeInSet,
        f"{table}.{column} is one of {', '.join(values)}",
        column=column,
        value_set=list(values),
    )


def _years(table: str, column: str, params: GateParams) -> gx.expectations.Expectation:
    return blocking(
        gxe.ExpectColumnValuesToBeBetween,
        f"{table}.{column} is within 2008..{params.current_year}",
        column=column,
        min_value=2008,
        max_value=params.current_year,
    )


def _unique_together(table: str, columns: list[str]) -> gx.expectations.Expectation:
    return blocking(
        gxe.ExpectCompoundColumnsToBeUnique,
        f"({', '.join(columns)}) is unique in {table}",
        column_list=columns,
    )


def suites(params: GateParams) -> list[Suite]:
    count_units = sql_list(params.count_units)
    return [
        _suite(
            "mart_dim_agency",
            "dim_agency",
            [
                *_key("dim_agency"),
                *_key("dim_agency", "agency_code"),
                _in_set(
                    "dim_agency", "level", ["district_government", "department", "town_street", "unknown"]
                ),
            ],
            {"parent_key": "dim_agency"},
        ),
        _suite(
            "mart_dim_applicant_type",
            "dim_applicant_type",
            [
                *_key("dim_applicant_type"),
                *_key("dim_applicant_type", "applicant"),
                _in_set("dim_applicant_type", "applicant", params.applicants),
            ],
        ),
        _suite(
            "mart_dim_generation",
            "dim_generation",
            [
                *_key("dim_generation"),
                *_key("dim_generation", "generation"),
                _in_set("dim_generation", "generation", GENERATIONS),
            ],
        ),
        _suite(
            "mart_dim_indicator",
            "dim_indicator",
            [
                *_key("dim_indicator"),
                *_key("dim_indicator", "indicator"),
                _in_set(
                    "dim_indicator",
                    "comparability",
                    ["comparable", "comparable_with_caveat", "generation_specific"],
                ),
            ],
        ),
        _suite(
            "mart_dim_year",
            "dim_year",
            [*_key("dim_year"), *_key("dim_year", "year"), _years("dim_year", "year", params)],
        ),
        _suite(
            "mart_dim_report",
            "dim_report",
            [
                *_key("dim_report"),
                _unique_together("dim_report", ["document_id", "version"]),
                blocking(
                    gxe.ExpectColumnValuesToNotBeNull, "every report has an agency", column="agency_key"
                ),
                _in_set("dim_report", "generation", GENERATIONS),
                _in_set("dim_report", "parse_status", ["complete", "partial"]),
                _years("dim_report", "report_year", params),
            ],
            {"agency_key": "dim_agency", "year_key": "dim_year", "generation_key": "dim_generation"},
        ),
        _suite(
            "mart_fct_indicator_value",
            "fct_indicator_value",
            [
                *_key("fct_indicator_value"),
                _in_set("fct_indicator_value", "source", ["table", "narrative"]),
                blocking(
                    gxe.ExpectColumnValuesToBeBetween,
                    "a value whose unit is a count (件, 条, 人 …) is not negative",
                    column="count_value",
                    min_value=0,
                ),
            ],
            {
                "report_key": "dim_report",
                "indicator_key": "dim_indicator",
                "applicant_type_key": "dim_applicant_type",
                "agency_key": "dim_agency",
            },
            values={"count_value": f"case when i.unit in ({count_units}) then t.value end"},
            joins="left join main.dim_indicator as i on i.key = t.indicator_key",
        ),
        _suite(
            "mart_agency_year",
            "mart_agency_year",
            [
                *_key("mart_agency_year"),
                _unique_together("mart_agency_year", ["agency_code", "report_year"]),
                _years("mart_agency_year", "report_year", params),
            ],
            {"agency_key": "dim_agency", "report_key": "dim_report"},
        ),
        _suite(
            "mart_indicator_series",
            "mart_indicator_series",
            [
                *_key("mart_indicator_series"),
                _unique_together(
                    "mart_indicator_series", ["agency_code", "report_year", "indicator", "applicant"]
                ),
                _in_set("mart_indicator_series", "applicant", params.applicants),
            ],
            {"agency_key": "dim_agency", "report_key": "dim_report", "indicator_key": "dim_indicator"},
        ),
        _suite(
            "mart_identity_audit",
            "mart_identity_audit",
            [
                *_key("mart_identity_audit"),
                _in_set("mart_identity_audit", "origin", ["parser", "warehouse"]),
                _in_set("mart_identity_audit", "status", ["holds", "fails", "not_evaluable"]),
            ],
            {"report_key": "dim_report"},
        ),
        _suite(
            "mart_publication_timeliness",
            "mart_publication_timeliness",
            [
                *_key("mart_publication_timeliness"),
                _unique_together("mart_publication_timeliness", ["agency_code", "report_year"]),
                _in_set(
                    "mart_publication_timeliness", "status", ["on_time", "late", "missing", "date_unknown"]
                ),
            ],
            {"agency_key": "dim_agency", "report_key": "dim_report"},
        ),
    ]
