"""Staging family: documents, raw texts, parse results, parsed cells, parse checks
(contract: ``gongkai/staging.py``). All blocking; validated on compact frames (``expectations.compact``)."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.compact import Orphan, table_suite
from expectations.suites.base import GENERATIONS, GateParams, Suite, blocking


def _pk(columns: list[str], table: str) -> list:
    return [
        blocking(
            gxe.ExpectCompoundColumnsToBeUnique, f"primary key of {table} is unique", column_list=columns
        ),
        *(
            blocking(gxe.ExpectColumnValuesToNotBeNull, f"{c} of {table} is not null", column=c)
            for c in columns
        ),
    ]


def _orphan(column: str, parent: str, rule: str) -> tuple[Orphan, object]:
    """``column`` shows "<document_id> v<version>" of a row whose version is not in ``parent``."""
    keys = ("document_id", "version")
    orphan = Orphan(column, keys, f"staging.main.{parent}", keys, shown="t.document_id || ' v' || t.version")
    return orphan, blocking(gxe.ExpectColumnValuesToBeNull, rule, column=column)


def _suite(
    params: GateParams, name: str, table: str, expectations: list, orphans: tuple = (), **kwargs: object
) -> Suite:
    full = f"staging.main.{table}"
    delta = params.scope.rel(full)
    return table_suite(
        name,
        "staging",
        full,
        [*expectations, *(exp for _, exp in orphans)],
        orphans=[o for o, _ in orphans],
        delta=None if delta == full else delta,
        **kwargs,  # type: ignore[arg-type]
    )


def suites(params: GateParams) -> list[Suite]:
    return [
        _suite(
            params,
            "staging_documents",
            "documents",
            [
                *_pk(["document_id", "version"], "documents"),
                blocking(gxe.ExpectColumnValuesToNotBeNull, "every document has a URL", column="url"),
                blocking(
                    gxe.ExpectColumnValuesToBeInSet,
                    "document status is ok | failed | quarantined",
                    column="status",
                    value_set=["ok", "failed", "quarantined"],
                ),
            ],
        ),
        _suite(
            params,
            "staging_raw_texts",
            "raw_texts",
            [
                *_pk(["document_id", "version"], "raw_texts"),
                blocking(
                    gxe.ExpectColumnValuesToBeBetween, "chars is not negative", column="chars", min_value=0
                ),
            ],
            (
                _orphan(
                    "orphan_document",
                    "documents",
                    "every raw text belongs to a staged document version",
                ),
            ),
        ),
        _suite(
            params,
            "staging_parse_results",
            "parse_results",
            [
                *_pk(["document_id", "version"], "parse_results"),
                blocking(
                    gxe.ExpectColumnValuesToBeInSet,
                    "parse status is complete | partial | quarantined",
                    column="status",
                    value_set=["complete", "partial", "quarantined"],
                ),
                blocking(
                    gxe.ExpectColumnValuesToBeInSet,
                    "a parsed (not quarantined) report has generation G1 | G2 | G3",
                    column="generation_parsed",
                    value_set=list(GENERATIONS),
                ),
                blocking(
                    gxe.ExpectColumnValuesToBeBetween,
                    f"a parsed report's year is within 2008..{params.current_year}",
                    column="report_year_parsed",
                    min_value=2008,
                    max_value=params.current_year,
                ),
                blocking(
                    gxe.ExpectColumnValuesToBeBetween,
                    "n_cells is not negative",
                    column="n_cells",
                    min_value=0,
                ),
            ],
            (
                _orphan(
                    "orphan_raw_text",
                    "raw_texts",
                    "every parse result belongs to a staged raw text",
                ),
            ),
            values={
                "generation_parsed": "case when t.status <> 'quarantined' then coalesce(t.generation, '(none)') end",
                "report_year_parsed": "case when t.status <> 'quarantined' then t.report_year end",
            },
        ),
        _suite(
            params,
            "staging_parsed_cells",
            "parsed_cells",
            [
                *_pk(["document_id", "version", "cell_no"], "parsed_cells"),
                blocking(
                    gxe.ExpectColumnValuesToBeInSet,
                    "applicant is a known applicant type (or NULL: not broken down)",
                    column="applicant",
                    value_set=list(params.applicants),
                ),
                blocking(
                    gxe.ExpectColumnValuesToBeInSet,
                    "cell source is table | narrative",
                    column="source",
                    value_set=["table", "narrative"],
                ),
            ],
            (
                _orphan(
                    "orphan_parse_result",
                    "parse_results",
                    "every cell belongs to a parse result",
                ),
            ),
        ),
        _suite(
            params,
            "staging_parse_checks",
            "parse_checks",
            [
                *_pk(["document_id", "version", "check_no"], "parse_checks"),
                blocking(gxe.ExpectColumnValuesToNotBeNull, "every check has a name", column="name"),
            ],
            (
                _orphan(
                    "orphan_parse_result",
                    "parse_results",
                    "every check belongs to a parse result",
                ),
            ),
        ),
    ]
