"""Marts family: dimensions, the fact table and the BI marts (contracts:
``dbt_project/models/marts/*.yml``). All blocking: keys unique and not null, foreign keys resolve,
accepted values, report years in range, counts never negative."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations.frames import Frame
from expectations.suites import GENERATIONS, GateParams, Suite, blocking, sql_list


def _key(table: str, column: str = "key") -> list[gx.expectations.Expectation]:
    return [
        blocking(gxe.ExpectColumnValuesToBeUnique, f"{table}.{column} is unique", column=column),
        blocking(gxe.ExpectColumnValuesToNotBeNull, f"{table}.{column} is not null", column=column),
    ]


def _orphan(table: str, column: str, parent: str) -> tuple[str, str, gx.expectations.Expectation]:
    """(select item, join, expectation): ``orphan_<column>`` holds a key that does not resolve."""
    alias = f"p_{column}"
    item = f"case when t.{column} is not null and {alias}.key is null then t.{column} end as orphan_{column}"
    join = f"left join main.{parent} as {alias} on {alias}.key = t.{column}"
    exp = blocking(
        gxe.ExpectColumnValuesToBeNull,
        f"{table}.{column} resolves to {parent}.key",
        column=f"orphan_{column}",
    )
    return item, join, exp


def _frame(
    table: str, columns: str, fks: dict[str, str], partition_key: str | None = None, joins: str = ""
) -> tuple[Frame, list[gx.expectations.Expectation]]:
    """Frame over ``main.<table>`` with ``columns`` plus one orphan column per foreign key."""
    items, fk_joins, exps = [], [joins] if joins else [], []
    for column, parent in fks.items():
        item, join, exp = _orphan(table, column, parent)
        items.append(item)
        fk_joins.append(join)
        exps.append(exp)
    select = ", ".join([columns, *items])
    sql = f"select {select} from main.{table} as t " + " ".join(fk_joins)
    return Frame(f"main.{table}", sql, partition_key), exps


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
    out: list[Suite] = []

    frame, fks = _frame("dim_agency", "t.key, t.agency_code, t.level", {"parent_key": "dim_agency"})
    out.append(
        Suite(
            "mart_dim_agency",
            "marts",
            frame,
            (
                *_key("dim_agency"),
                *_key("dim_agency", "agency_code"),
                _in_set(
                    "dim_agency", "level", ["district_government", "department", "town_street", "unknown"]
                ),
                *fks,
            ),
        )
    )
    frame, _ = _frame("dim_applicant_type", "t.key, t.applicant", {})
    out.append(
        Suite(
            "mart_dim_applicant_type",
            "marts",
            frame,
            (
                *_key("dim_applicant_type"),
                *_key("dim_applicant_type", "applicant"),
                _in_set("dim_applicant_type", "applicant", params.applicants),
            ),
        )
    )
    frame, _ = _frame("dim_generation", "t.key, t.generation", {})
    out.append(
        Suite(
            "mart_dim_generation",
            "marts",
            frame,
            (
                *_key("dim_generation"),
                *_key("dim_generation", "generation"),
                _in_set("dim_generation", "generation", GENERATIONS),
            ),
        )
    )
    frame, _ = _frame("dim_indicator", "t.key, t.indicator, t.comparability", {})
    out.append(
        Suite(
            "mart_dim_indicator",
            "marts",
            frame,
            (
                *_key("dim_indicator"),
                *_key("dim_indicator", "indicator"),
                _in_set(
                    "dim_indicator",
                    "comparability",
                    ["comparable", "comparable_with_caveat", "generation_specific"],
                ),
            ),
        )
    )
    frame, _ = _frame("dim_year", "t.key, t.year", {})
    out.append(
        Suite(
            "mart_dim_year",
            "marts",
            frame,
            (*_key("dim_year"), *_key("dim_year", "year"), _years("dim_year", "year", params)),
        )
    )
    frame, fks = _frame(
        "dim_report",
        "t.key, t.document_id, t.version, t.agency_key, t.report_year, t.generation, t.parse_status",
        {"agency_key": "dim_agency", "year_key": "dim_year", "generation_key": "dim_generation"},
        partition_key="document_id",
    )
    out.append(
        Suite(
            "mart_dim_report",
            "marts",
            frame,
            (
                *_key("dim_report"),
                _unique_together("dim_report", ["document_id", "version"]),
                blocking(
                    gxe.ExpectColumnValuesToNotBeNull, "every report has an agency", column="agency_key"
                ),
                _in_set("dim_report", "generation", GENERATIONS),
                _in_set("dim_report", "parse_status", ["complete", "partial"]),
                _years("dim_report", "report_year", params),
                *fks,
            ),
        )
    )
    frame, fks = _frame(
        "fct_indicator_value",
        f"t.key, t.source, "
        f"case when i.unit in ({sql_list(params.count_units)}) then t.value end as count_value",
        {
            "report_key": "dim_report",
            "indicator_key": "dim_indicator",
            "applicant_type_key": "dim_applicant_type",
            "agency_key": "dim_agency",
        },
        partition_key="key",
        joins="left join main.dim_indicator as i on i.key = t.indicator_key",
    )
    out.append(
        Suite(
            "mart_fct_indicator_value",
            "marts",
            frame,
            (
                *_key("fct_indicator_value"),
                _in_set("fct_indicator_value", "source", ["table", "narrative"]),
                blocking(
                    gxe.ExpectColumnValuesToBeBetween,
                    "a value whose unit is a count (件, 条, 人 …) is not negative",
                    column="count_value",
                    min_value=0,
                ),
                *fks,
            ),
        )
    )
    frame, fks = _frame(
        "mart_agency_year",
        "t.key, t.agency_code, t.report_year",
        {"agency_key": "dim_agency", "report_key": "dim_report"},
    )
    out.append(
        Suite(
            "mart_agency_year",
            "marts",
            frame,
            (
                *_key("mart_agency_year"),
                _unique_together("mart_agency_year", ["agency_code", "report_year"]),
                _years("mart_agency_year", "report_year", params),
                *fks,
            ),
        )
    )
    frame, fks = _frame(
        "mart_indicator_series",
        "t.key, t.agency_code, t.report_year, t.indicator, t.applicant",
        {"agency_key": "dim_agency", "report_key": "dim_report", "indicator_key": "dim_indicator"},
        partition_key="key",
    )
    out.append(
        Suite(
            "mart_indicator_series",
            "marts",
            frame,
            (
                *_key("mart_indicator_series"),
                _unique_together(
                    "mart_indicator_series", ["agency_code", "report_year", "indicator", "applicant"]
                ),
                _in_set("mart_indicator_series", "applicant", params.applicants),
                *fks,
            ),
        )
    )
    frame, fks = _frame(
        "mart_identity_audit", "t.key, t.origin, t.status", {"report_key": "dim_report"}, partition_key="key"
    )
    out.append(
        Suite(
            "mart_identity_audit",
            "marts",
            frame,
            (
                *_key("mart_identity_audit"),
                _in_set("mart_identity_audit", "origin", ["parser", "warehouse"]),
                _in_set("mart_identity_audit", "status", ["holds", "fails", "not_evaluable"]),
                *fks,
            ),
        )
    )
    frame, fks = _frame(
        "mart_publication_timeliness",
        "t.key, t.agency_code, t.report_year, t.status",
        {"agency_key": "dim_agency", "report_key": "dim_report"},
    )
    out.append(
        Suite(
            "mart_publication_timeliness",
            "marts",
            frame,
            (
                *_key("mart_publication_timeliness"),
                _unique_together("mart_publication_timeliness", ["agency_code", "report_year"]),
                _in_set(
                    "mart_publication_timeliness", "status", ["on_time", "late", "missing", "date_unknown"]
                ),
                *fks,
            ),
        )
    )
    return out
