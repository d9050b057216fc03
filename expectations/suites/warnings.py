"""Warnings family: facts to surface, never reasons to block — the reports' own accounting
identities (勾稽关系) as audited in ``mart_identity_audit``, a value stated differently in prose and
in the table, and year-over-year jumps beyond ``GateParams.yoy_factor``. Latest versions only (what
BI tools show). Each frame holds one column, NULL where nothing is wrong, so that the large
frames stay cheap."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.frames import Frame
from expectations.suites import GateParams, Suite, warning


def suites(params: GateParams) -> list[Suite]:
    factor = float(params.yoy_factor)
    return [
        Suite(
            name="warn_identities",
            family="warnings",
            frame=Frame(
                "main.mart_identity_audit",
                """
                select case when status = 'fails' then
                           coalesce(agency_code, '?') || ' ' || coalesce(cast(report_year as varchar), '?')
                           || ' [' || document_id || ' v' || version || '] ' || identity
                           || coalesce(' (' || applicant || ')', '') || ' [' || origin || ']'
                           || coalesce(': ' || lhs || ' vs ' || rhs, '')
                       end as failing_identity
                from main.mart_identity_audit
                where is_latest
                """,
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
                select case when t.value is distinct from n.value
                                 and t.value is not null and n.value is not null then
                           t.agency_code || ' ' || t.report_year || ' [' || t.document_id || '] '
                           || t.indicator || ': table ' || t.value || ', prose ' || n.value
                       end as disagreement
                from main.fct_indicator_value as t
                join main.fct_indicator_value as n
                  on n.document_id = t.document_id and n.version = t.version
                 and n.indicator = t.indicator and n.applicant = t.applicant and n.source = 'narrative'
                where t.source = 'table' and t.is_latest
                """,
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
                with series as (
                    select agency_code, indicator, applicant, report_year, value,
                           lag(value) over w as previous_value,
                           lag(report_year) over w as previous_year
                    from main.mart_indicator_series
                    window w as (partition by agency_code, indicator, applicant order by report_year)
                )
                select case when previous_year = report_year - 1 and value > 0 and previous_value > 0
                                 and greatest(value / previous_value, previous_value / value) > {factor}
                       then agency_code || ' ' || indicator || ' (' || applicant || ') '
                            || previous_year || ' → ' || report_year || ': '
                            || previous_value || ' → ' || value
                       end as jump
                from series
                """,
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
