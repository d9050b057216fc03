"""Per-document checks: what BI reads equals what the parser staged, document by document.

A document that fails one of them *quarantines itself*: the gate names it with its reasons and
publishing drops its rows from the served copy (``gongkai.publish``); the rest of the warehouse is
published. Only when more documents fail than ``GateParams.quarantine_limit`` allows is the damage
taken as table-wide, and the gate blocks. The checks, each naming ``document_id``:

- **facts = staged cells**: per report version, the count and an order-independent fingerprint (sum of
  a 64-bit hash of indicator, applicant, source *and value*) of the staged cells and of the facts agree
  (a fact lost, doubled, changed or invented; a grain the parser staged twice);
- **counts are plausible**: a value whose unit counts things (件, 条, 人 …) is a whole number, not
  negative, and not above its indicator's ceiling (``dbt_project/seeds/indicator_ceilings.csv``;
  ``DEFAULT_COUNT_CEILING`` for an indicator without one);
- **mart_indicator_series = facts**: every row shows the fact its key names (value, indicator,
  applicant, report, year, agency), and the chosen report's every indicator/applicant is shown once;
- **mart_agency_year = series**: its indicator columns equal the series' applicant-total values, and
  each agency-year with a latest report has one row naming the report the marts choose (latest
  publication date, then the smallest document_id).
"""

from __future__ import annotations

from expectations.suites.base import GateParams, sql_list

DEFAULT_COUNT_CEILING = 100_000_000  # no count in a disclosure report comes near this


def _ceilings(params: GateParams) -> str:
    if params.ceilings_sql:
        return params.ceilings_sql
    return "select cast(null as varchar) as indicator, cast(null as double) as ceiling where false"


# facts = staged cells, per report version (count and fingerprint of indicator, applicant, source, value)
_FACTS = """
staged_cells as (
    select c.document_id, c.version, c.indicator, coalesce(c.applicant, 'total') as applicant, c.source, c.value
    from {cells} as c
    semi join main.dim_report as r on r.document_id = c.document_id and r.version = c.version
    where c.indicator is not null
),
staged_fp as (
    select document_id, version, count(*) as n, sum(hash(indicator, applicant, source, value)::hugeint) as h
    from staged_cells group by document_id, version
),
fact_fp as (
    select document_id, version, count(*) as n, sum(hash(indicator, applicant, source, value)::hugeint) as h
    from {facts} group by document_id, version
),
fact_problems as (
    select coalesce(s.document_id, f.document_id) as document_id, coalesce(s.version, f.version) as version,
           case when coalesce(s.n, 0) = coalesce(f.n, 0)
                then 'facts differ from the staged cells in value or grain (' || s.n || ' of each)'
                else 'facts do not match the staged cells: ' || coalesce(s.n, 0) || ' staged, '
                     || coalesce(f.n, 0) || ' in fct_indicator_value'
           end as problem
    from staged_fp as s
    full join fact_fp as f on f.document_id = s.document_id and f.version = s.version
    where s.n is distinct from f.n or s.h is distinct from f.h
),
"""
# count values whole, not negative, under the ceiling ({units}, {ceiling}: filled in)
_COUNTS = """
count_problems as (
    select f.document_id, f.version,
           f.indicator || ' (' || f.applicant || ', ' || f.source || ') = ' || cast(f.value as varchar)
           || case when f.value < 0 then ' is negative'
                   when f.value <> round(f.value) then ' is not a whole number'
                   else ' is above its ceiling ' || cast(coalesce(k.ceiling, {ceiling}) as varchar)
              end as problem
    from {facts} as f
    join main.dim_indicator as i on i.key = f.indicator_key
    left join ceilings as k on k.indicator = f.indicator
    where i.unit in ({units})
        and (f.value < 0 or f.value <> round(f.value) or f.value > coalesce(k.ceiling, {ceiling}))
),
"""
# every mart_indicator_series row shows the fact its key names
_SERIES = """
series_problems as (
    select coalesce(r.document_id, f.document_id) as document_id, coalesce(r.version, f.version) as version,
           'mart_indicator_series ' || s.indicator || ' (' || s.applicant || ') shows '
           || coalesce(cast(s.value as varchar), 'NULL') || ', '
           || case when f.key is null then 'no such fact'
                   else 'the fact: ' || f.indicator || ' (' || f.applicant || ') '
                        || coalesce(cast(f.value as varchar), 'NULL') end as problem
    from {series} as s
    left join main.fct_indicator_value as f on f.key = s.key
    left join main.dim_report as r on r.key = s.report_key
    where f.key is null or f.value is distinct from s.value or f.report_key is distinct from s.report_key
        or f.indicator is distinct from s.indicator or f.applicant is distinct from s.applicant
        or f.report_year is distinct from s.report_year or f.agency_code is distinct from s.agency_code
),
"""
# the chosen report's every indicator/applicant is shown once
_COVERAGE = """
chosen_grains as (
    select f.report_key, count(distinct (f.indicator, f.applicant)) as n
    from {facts} as f
    semi join main.mart_agency_year as m on m.report_key = f.report_key
    group by f.report_key
),
series_rows as (
    select report_key, count(*) as n from {series} group by report_key
),
coverage_problems as (
    select r.document_id, r.version,
           'mart_indicator_series shows ' || coalesce(s.n, 0) || ' indicator values of the report, its facts hold '
           || coalesce(g.n, 0) as problem
    from chosen_grains as g
    full join series_rows as s on s.report_key = g.report_key
    left join main.dim_report as r on r.key = coalesce(g.report_key, s.report_key)
    where g.n is distinct from s.n
),
"""
# each agency-year with a latest report has one mart_agency_year row, naming the report the marts choose
_CHOICE = """
expected_choice as (
    select agency_code, report_year, document_id, version from main.dim_report
    where is_latest and report_year is not null
    qualify row_number() over (
        partition by agency_code, report_year order by published_date desc nulls last, document_id) = 1
),
choice_problems as (
    select coalesce(m.document_id, e.document_id) as document_id, coalesce(m.version, e.version) as version,
           case when m.document_id is null then 'its agency-year ' || e.agency_code || ' ' || e.report_year
                                                 || ' is missing from mart_agency_year'
                when e.document_id is null then 'mart_agency_year shows it for ' || m.agency_code || ' '
                                                 || m.report_year || ', which has no latest report'
                else 'mart_agency_year shows it for ' || m.agency_code || ' ' || m.report_year
                     || ' instead of ' || e.document_id || ' v' || e.version end as problem
    from main.mart_agency_year as m
    full join expected_choice as e on e.agency_code = m.agency_code and e.report_year = m.report_year
    where m.document_id is distinct from e.document_id or m.version is distinct from e.version
),
"""
# mart_agency_year's indicator columns ({pivot}) = the series' applicant-total values ({pivot_list})
_AGENCY_YEAR = """
agency_year_values as (
    select agency_code, report_year, document_id, indicator, value
    from (unpivot (select agency_code, report_year, document_id, {pivot} from {agency_year})
          on {pivot} into name indicator value value)
),
series_totals as (
    select agency_code, report_year, indicator, value, report_key from {series}
    where applicant = 'total' and indicator in ({pivot_list})
),
agency_year_problems as (
    select coalesce(a.document_id, r.document_id) as document_id, r.version,
           'mart_agency_year.' || coalesce(a.indicator, s.indicator) || ' shows '
           || coalesce(cast(a.value as varchar), 'NULL') || ', mart_indicator_series '
           || coalesce(cast(s.value as varchar), 'NULL') as problem
    from agency_year_values as a
    full join series_totals as s
        on s.agency_code = a.agency_code and s.report_year = a.report_year and s.indicator = a.indicator
    left join main.dim_report as r on r.key = s.report_key
    where a.value is distinct from s.value
),
"""
_NO_AGENCY_YEAR = """
agency_year_problems as (select null as document_id, null as version, null as problem where false),
"""
_PROBLEMS = """
problems as (
    select document_id, version, problem from fact_problems
    union all select document_id, version, problem from count_problems
    union all select document_id, version, problem from series_problems
    union all select document_id, version, problem from coverage_problems
    union all select document_id, version, problem from choice_problems
    union all select document_id, cast(version as integer), problem from agency_year_problems
)
select coalesce(document_id, '(unknown document)') as document_id, max(version) as version,
       count(*) as n_problems,
       left(string_agg(distinct problem, '; ' order by problem), 2000) as reasons
from problems
group by all
order by document_id
"""


def problems_sql(params: GateParams) -> str:
    """One row per failing document: ``document_id``, ``version`` (the newest failing), ``n_problems``,
    ``reasons``."""
    pivot = params.agency_year_indicators
    scope = params.scope
    # a delta gate aggregates the changed documents' rows; lookups by key stay on the whole tables
    rel = {
        "cells": scope.rel("staging.main.parsed_cells"),
        "facts": scope.rel("main.fct_indicator_value"),
        "series": scope.rel("main.mart_indicator_series"),
        "agency_year": (
            f"(select * from main.mart_agency_year where document_id in ({scope.docs()}))"
            if scope.delta
            else "main.mart_agency_year"
        ),
    }
    counts = _COUNTS.format(units=sql_list(params.count_units), ceiling=DEFAULT_COUNT_CEILING, **rel)
    agency_year = (
        _AGENCY_YEAR.format(pivot=", ".join(pivot), pivot_list=sql_list(pivot), **rel)
        if pivot
        else _NO_AGENCY_YEAR
    )
    return (
        f"with ceilings as ({_ceilings(params)}),"
        + _FACTS.format(**rel)
        + counts
        + _SERIES.format(**rel)
        + _COVERAGE.format(**rel)
        + _CHOICE
        + agency_year
        + _PROBLEMS
    )
