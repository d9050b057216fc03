"""Warnings family: facts to surface, never reasons to block — the reports' own accounting
identities (勾稽关系) as audited in ``mart_identity_audit``, a value stated differently in prose and
in the table, and year-over-year jumps beyond ``GateParams.yoy_factor``. Latest versions only (what
BI tools show). Each frame holds one column and only the rows where something is wrong (the
expectation is that the column is NULL, so every row of the frame is unexpected); ``covers`` counts
the rows examined, which becomes the outcome's ``element_count``."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.frames import Frame
from expectations.suites import GateParams, Suite, warning

# table facts (latest versions) that prose also states: the pairs compared
_PAIRS = """
select count(*)
from main.fct_indicator_value as t
join main.fct_indicator_value as n
  on n.document_id = t.document_id and n.version = t.version
 and n.indicator = t.indicator and n.applicant = t.applicant and n.source = 'narrative'
where t.source = 'table' and t.is_latest
"""


def suites(params: GateParams) -> list[Suite]:
    factor = float(params.yoy_factor)
    return [
        Suite(
            name="warn_identities",
            family="warnings",
            frame=Frame(
                "main.mart_identity_audit",
                """
                select coalesce(agency_code, '?') || ' ' || coalesce(cast(report_year as varchar), '?')
                       || ' [' || document_id || ' v' || version || '] ' || identity
                       || coalesce(' (' || applicant || ')', '') || ' [' || origin || ']'
                       || coalesce(': ' || lhs || ' vs ' || rhs, '') as failing_identity
                from main.mart_identity_audit
                where is_latest and status = 'fails'
                """,
                covers="select count(*) from main.mart_identity_audit where is_latest",
            ),
            expectations=(
                warning(
                    gxe.ExpectColumnValuesToBeNull,
                    "the report's own accounting identities (勾稽关系) hold",
                    column="failing_identity",
                ),
            ),
        ),
        Suite(
            name="warn_prose_vs_table",
            family="warnings",
            frame=Frame(
                "main.fct_indicator_value",
                """
                select t.agency_code || ' ' || t.report_year || ' [' || t.document_id || '] '
                       || t.indicator || ': table ' || t.value || ', prose ' || n.value as disagreement
                from main.fct_indicator_value as t
                join main.fct_indicator_value as n
                  on n.document_id = t.document_id and n.version = t.version
                 and n.indicator = t.indicator and n.applicant = t.applicant and n.source = 'narrative'
                where t.source = 'table' and t.is_latest
                  and t.value <> n.value  -- both stated (not NULL) and different
                """,
                covers=_PAIRS,
            ),
            expectations=(
                warning(
                    gxe.ExpectColumnValuesToBeNull,
                    "a value stated both in prose and in the table agrees",
                    column="disagreement",
                ),
            ),
        ),
        Suite(
            name="warn_year_over_year",
            family="warnings",
            frame=Frame(
                "main.mart_indicator_series",
                f"""
                with positive as (  -- a jump needs both years' values above 0
                    select agency_code, indicator, applicant, report_year, value
                    from main.mart_indicator_series
                    where value > 0
                )
                -- each series value against the same series' value of the year before (a join on the
                -- consecutive year: same pairs as lag() over the series ordered by year, without the sort)
                select s.agency_code || ' ' || s.indicator || ' (' || s.applicant || ') '
                       || p.report_year || ' → ' || s.report_year || ': '
                       || p.value || ' → ' || s.value as jump
                from positive as s
                join positive as p
                  on p.agency_code is not distinct from s.agency_code
                 and p.indicator is not distinct from s.indicator
                 and p.applicant is not distinct from s.applicant
                 and p.report_year = s.report_year - 1
                where greatest(s.value / p.value, p.value / s.value) > {factor}
                """,
                covers="select count(*) from main.mart_indicator_series",
            ),
            expectations=(
                warning(
                    gxe.ExpectColumnValuesToBeNull,
                    f"no indicator changes by more than a factor of {factor:g} from one year to the next",
                    column="jump",
                ),
            ),
        ),
    ]
