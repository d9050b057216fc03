"""Warnings family: facts to surface, never reasons to block — the reports' own accounting
identities (勾稽关系) as audited in ``mart_identity_audit``, a value stated differently in prose and
in the table, and year-over-year jumps beyond ``GateParams.yoy_factor``. Latest versions only (what
BI tools show).

Each frame holds only what is wrong, compacted like a values frame (``expectations.compact``): one
row per failing identity (per indicator, for the other two) with an example — the first failing
report in (agency, year, document) order — as its text, and in ``n_rows`` how many rows fail that way.
The expectation is that the text is NULL, so every frame row is unexpected and the outcome's
``unexpected_count`` is the sum of ``n_rows``: every failing row, counted. ``covers`` counts the rows
examined (the outcome's ``element_count``). The full lists are the marts themselves
(``mart_identity_audit``, ``fct_indicator_value``, ``mart_indicator_series``); at 100k synthetic
reports handing GX the ~2.6 M failing rows one by one was a third of the gate's time.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.compact import WEIGHT
from expectations.frames import Frame
from expectations.suites.base import GateParams, Suite, warning

# table facts (latest versions) that prose also states: the pairs compared
_PAIRS = """
select count(*)
from main.fct_indicator_value as t
join main.fct_indicator_value as n
  on n.document_id = t.document_id and n.version = t.version
 and n.indicator = t.indicator and n.applicant = t.applicant and n.source = 'narrative'
where t.source = 'table' and t.is_latest
"""


def _compact(sql: str, column: str) -> str:
    """``sql`` (one example ``column`` per group, with ``n_rows``), the example marked ``(1 of N)``
    when it stands for N > 1 failing rows."""
    return (
        f"select {column} || case when {WEIGHT} > 1 then ' (1 of ' || {WEIGHT} || ')' else '' end"
        f" as {column}, {WEIGHT} from ({sql})"
    )


_IDENTITIES = """
select coalesce(ex.agency_code, '?') || ' ' || coalesce(cast(ex.report_year as varchar), '?')
       || ' [' || ex.document_id || ' v' || ex.version || '] ' || identity
       || coalesce(' (' || ex.applicant || ')', '') || ' [' || origin || ']'
       || coalesce(': ' || ex.lhs || ' vs ' || ex.rhs, '') as failing_identity,
       n_rows
from (
    select identity, origin, count(*) as n_rows,
           min({'agency_code': agency_code, 'report_year': report_year, 'document_id': document_id,
                'version': version, 'applicant': applicant, 'lhs': lhs, 'rhs': rhs}) as ex
    from main.mart_identity_audit
    where is_latest and status = 'fails'
    group by identity, origin
)
"""

_PROSE_VS_TABLE = """
select ex.agency_code || ' ' || ex.report_year || ' [' || ex.document_id || '] '
       || indicator || ': table ' || ex.table_value || ', prose ' || ex.prose_value as disagreement,
       n_rows
from (
    select t.indicator, count(*) as n_rows,
           min({'agency_code': t.agency_code, 'report_year': t.report_year, 'document_id': t.document_id,
                'table_value': t.value, 'prose_value': n.value}) as ex
    from main.fct_indicator_value as t
    join main.fct_indicator_value as n
      on n.document_id = t.document_id and n.version = t.version
     and n.indicator = t.indicator and n.applicant = t.applicant and n.source = 'narrative'
    where t.source = 'table' and t.is_latest
      and t.value <> n.value  -- both stated (not NULL) and different
    group by t.indicator
)
"""


def _year_over_year(factor: float, changed: str | None = None) -> str:
    """Year-over-year jumps of ``main.mart_indicator_series``; ``changed`` (a delta gate): the relation
    of the changed documents' series rows, and only pairs with one of them are counted."""
    all_rows = "main.mart_indicator_series"
    if changed is None:
        pairs = _PAIRS_OF.format(s="positive", p="positive")
        positive = f"positive as (select {_SERIES_COLUMNS} from {all_rows} where value > 0)"
    else:  # a pair with a changed row on either side, each pair once (the whole series inline, not
        # a CTE: DuckDB would materialise a CTE read twice, ten million rows)
        every = f"(select {_SERIES_COLUMNS} from {all_rows} where value > 0)"
        unchanged = (
            f"(select {_SERIES_COLUMNS} from {all_rows} where value > 0"
            f" and report_key not in (select report_key from {changed}))"
        )  # (a changed report's rows are all in ``changed``: they are its report_key's rows)
        positive = f"changed as (select {_SERIES_COLUMNS} from {changed} where value > 0)"
        pairs = (
            _PAIRS_OF.format(s="changed", p=every)
            + " union all "
            + _PAIRS_OF.format(s=unchanged, p="changed")
        )
    return f"""
with {positive},  -- a jump needs both years' values above 0
jumps as ({pairs})
select ex.agency_code || ' ' || indicator || ' (' || ex.applicant || ') '
       || ex.from_year || ' → ' || ex.to_year || ': ' || ex.from_value || ' → ' || ex.to_value as jump,
       n_rows
from (
    select indicator, count(*) as n_rows,
           min({{'agency_code': agency_code, 'applicant': applicant, 'from_year': from_year,
                 'to_year': to_year, 'from_value': from_value, 'to_value': to_value}}) as ex
    from jumps
    where greatest(to_value / from_value, from_value / to_value) > {factor}
    group by indicator
)
"""


_SERIES_COLUMNS = "agency_code, indicator, applicant, report_year, value"
# each series value against the same series' value of the year before (a join on the consecutive
# year: same pairs as lag() over the series ordered by year, without the sort)
_PAIRS_OF = """
    select s.indicator, s.agency_code, s.applicant, p.report_year as from_year, s.report_year as to_year,
           p.value as from_value, s.value as to_value
    from {s} as s
    join {p} as p
      on p.agency_code is not distinct from s.agency_code
     and p.indicator is not distinct from s.indicator
     and p.applicant is not distinct from s.applicant
     and p.report_year = s.report_year - 1
"""


def suites(params: GateParams) -> list[Suite]:
    factor = float(params.yoy_factor)
    scope = params.scope
    audit = scope.rel("main.mart_identity_audit")
    facts = scope.rel("main.fct_indicator_value")
    series = scope.rel("main.mart_indicator_series")
    changed_series = series if scope.delta else None
    # a delta gate counts the changed documents' rows (a suite on unchanged tables is carried whole)
    only = f" (documents changed since gate {scope.last_run})" if scope.delta else ""
    return [
        Suite(
            name="warn_identities",
            family="warnings",
            frame=Frame(
                "main.mart_identity_audit",
                _compact(_IDENTITIES.replace("main.mart_identity_audit", audit), "failing_identity"),
                covers=f"select count(*) from {audit} where is_latest",
                weight=WEIGHT,
            ),
            reads=("main.mart_identity_audit",),
            expectations=(
                warning(
                    gxe.ExpectColumnValuesToBeNull,
                    "the report's own accounting identities (勾稽关系) hold" + only,
                    column="failing_identity",
                ),
            ),
        ),
        Suite(
            name="warn_prose_vs_table",
            family="warnings",
            frame=Frame(
                "main.fct_indicator_value",
                _compact(_PROSE_VS_TABLE.replace("main.fct_indicator_value", facts), "disagreement"),
                covers=_PAIRS.replace("main.fct_indicator_value", facts),
                weight=WEIGHT,
            ),
            reads=("main.fct_indicator_value",),
            expectations=(
                warning(
                    gxe.ExpectColumnValuesToBeNull,
                    "a value stated both in prose and in the table agrees" + only,
                    column="disagreement",
                ),
            ),
        ),
        Suite(
            name="warn_year_over_year",
            family="warnings",
            frame=Frame(
                "main.mart_indicator_series",
                _compact(_year_over_year(factor, changed_series), "jump"),
                covers=f"select count(*) from {series}",
                weight=WEIGHT,
            ),
            reads=("main.mart_indicator_series",),
            expectations=(
                warning(
                    gxe.ExpectColumnValuesToBeNull,
                    f"no indicator changes by more than a factor of {factor:g} from one year to the next"
                    + only,
                    column="jump",
                ),
            ),
        ),
    ]
