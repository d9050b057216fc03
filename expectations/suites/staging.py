"""Staging family: documents, raw texts, parse results, parsed cells, parse checks
(contract: ``gongkai/staging.py``). All blocking."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.frames import Frame
from expectations.suites import GENERATIONS, GateParams, Suite, blocking


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


def _orphan(column: str, rule: str) -> object:
    return blocking(gxe.ExpectColumnValuesToBeNull, rule, column=column)


def suites(params: GateParams) -> list[Suite]:
    return [
        Suite(
            name="staging_documents",
            family="staging",
            frame=Frame(
                "staging.main.documents",
                "select document_id, version, url, status, content_hash from staging.main.documents",
                partition_key="document_id",
            ),
            expectations=(
                *_pk(["document_id", "version"], "documents"),
                blocking(gxe.ExpectColumnValuesToNotBeNull, "every document has a URL", column="url"),
                blocking(
                    gxe.ExpectColumnValuesToBeInSet,
                    "document status is ok | failed | quarantined",
                    column="status",
                    value_set=["ok", "failed", "quarantined"],
                ),
            ),
        ),
        Suite(
            name="staging_raw_texts",
            family="staging",
            frame=Frame(
                "staging.main.raw_texts",
                """
                select t.document_id, t.version, t.chars,
                       case when d.document_id is null then t.document_id || ' v' || t.version end
                           as orphan_document
                from staging.main.raw_texts as t
                left join staging.main.documents as d using (document_id, version)
                """,
                partition_key="document_id",
            ),
            expectations=(
                *_pk(["document_id", "version"], "raw_texts"),
                _orphan("orphan_document", "every raw text belongs to a staged document version"),
                blocking(
                    gxe.ExpectColumnValuesToBeBetween, "chars is not negative", column="chars", min_value=0
                ),
            ),
        ),
        Suite(
            name="staging_parse_results",
            family="staging",
            frame=Frame(
                "staging.main.parse_results",
                """
                select p.document_id, p.version, p.status,
                       case when p.status <> 'quarantined' then coalesce(p.generation, '(none)') end
                           as generation_parsed,
                       case when p.status <> 'quarantined' then p.report_year end as report_year_parsed,
                       p.n_cells,
                       case when t.document_id is null then p.document_id || ' v' || p.version end
                           as orphan_raw_text
                from staging.main.parse_results as p
                left join staging.main.raw_texts as t using (document_id, version)
                """,
                partition_key="document_id",
            ),
            expectations=(
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
                _orphan("orphan_raw_text", "every parse result belongs to a staged raw text"),
            ),
        ),
        Suite(
            name="staging_parsed_cells",
            family="staging",
            frame=Frame(
                "staging.main.parsed_cells",
                """
                select c.document_id, c.version, c.cell_no, c.applicant, c.source,
                       case when p.document_id is null then c.document_id || ' v' || c.version end
                           as orphan_parse_result
                from staging.main.parsed_cells as c
                left join staging.main.parse_results as p using (document_id, version)
                """,
                partition_key="document_id",
            ),
            expectations=(
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
                _orphan("orphan_parse_result", "every cell belongs to a parse result"),
            ),
        ),
        Suite(
            name="staging_parse_checks",
            family="staging",
            frame=Frame(
                "staging.main.parse_checks",
                """
                select k.document_id, k.version, k.check_no, k.name,
                       case when p.document_id is null then k.document_id || ' v' || k.version end
                           as orphan_parse_result
                from staging.main.parse_checks as k
                left join staging.main.parse_results as p using (document_id, version)
                """,
                partition_key="document_id",
            ),
            expectations=(
                *_pk(["document_id", "version", "check_no"], "parse_checks"),
                blocking(gxe.ExpectColumnValuesToNotBeNull, "every check has a name", column="name"),
                _orphan("orphan_parse_result", "every check belongs to a parse result"),
            ),
        ),
    ]
