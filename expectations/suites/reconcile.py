"""Reconciliation family: counts agree across the layers, so no report or fact is lost or doubled
between staging and the marts. One frame row per count; ``mismatch`` says what disagrees. Blocking."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.frames import Frame
from expectations.suites import GateParams, Suite, blocking

_COUNTS = """
with docs as (
    select document_id, version, status from staging.main.documents
),
parsed as (
    select document_id, version, status from staging.main.parse_results
),
staged_cells as (
    select c.document_id, c.version, c.indicator, coalesce(c.applicant, 'total') as applicant, c.source
    from staging.main.parsed_cells as c
    semi join main.dim_report as r on r.document_id = c.document_id and r.version = c.version
    where c.indicator is not null
),
-- per report version: how many staged cells / facts, and an order-independent fingerprint of their
-- grains (the sum of a 64-bit hash of each grain). Grouping 2 x 11.6 M rows into 100k report versions
-- is cheap; grouping them on the five grain columns (the exact check) is ~20x dearer.
staged_fp as (
    select document_id, version, count(*) as n,
           sum(hash(indicator, applicant, source)::hugeint) as h
    from staged_cells
    group by document_id, version
),
fact_fp as (
    select document_id, version, count(*) as n,
           sum(hash(indicator, applicant, source)::hugeint) as h
    from main.fct_indicator_value
    group by document_id, version
),
fp as materialized (
    select coalesce(s.document_id, f.document_id) as document_id,
           coalesce(s.version, f.version) as version,
           coalesce(s.n, 0) as n_staged,
           coalesce(f.n, 0) as n_facts,
           coalesce(s.n = f.n and s.h = f.h, false) as agree
    from staged_fp as s
    full join fact_fp as f on f.document_id = s.document_id and f.version = s.version
),
-- versions whose fingerprints differ (a fact lost, doubled or changed, or a grain staged twice) are
-- counted exactly: per distinct (document, version, indicator, applicant, source), how many staged
-- cells and how many facts. Where fingerprints agree, staged grains = facts (up to a 2^-64 collision).
suspect as (
    select document_id, version from fp where not agree
),
suspect_keys as materialized (
    select count(*) filter (where staged) as n_staged, count(*) filter (where not staged) as n_facts
    from (
        select c.document_id, c.version, c.indicator, c.applicant, c.source, true as staged
        from staged_cells as c
        semi join suspect as d
            on d.document_id is not distinct from c.document_id and d.version is not distinct from c.version
        union all
        select f.document_id, f.version, f.indicator, f.applicant, f.source, false
        from main.fct_indicator_value as f
        semi join suspect as d
            on d.document_id is not distinct from f.document_id and d.version is not distinct from f.version
    )
    group by document_id, version, indicator, applicant, source
),
fact_counts as materialized (
    select (select coalesce(sum(n_staged), 0) from fp where agree)
           + (select count(*) filter (where n_staged > 0) from suspect_keys) as staged_facts,
           (select coalesce(sum(n_facts), 0) from fp) as facts,
           (select count(*) filter (where n_staged > 0 and n_facts = 0) from suspect_keys) as missing,
           (select count(*) filter (where n_facts > 0 and n_staged = 0) from suspect_keys) as extra
),
counts as (
    select 'documents = parsed reports + quarantined' as "check",
           (select count(*) from docs) as expected,
           (select count(*) from main.dim_report)
           + (select count(*) from parsed where status = 'quarantined')
           + (select count(*) from docs as d where d.status <> 'ok'
                and not exists (select 1 from parsed as p where p.document_id = d.document_id
                                                             and p.version = d.version)) as actual
    union all
    select 'parsed reports in staging = reports in dim_report',
           (select count(*) from parsed where status in ('complete', 'partial')),
           (select count(*) from main.dim_report)
    union all
    select 'report versions in dim_report missing from staging parse results',
           0,
           (select count(*) from main.dim_report as r
             where not exists (select 1 from parsed as p where p.document_id = r.document_id
                                                          and p.version = r.version
                                                          and p.status in ('complete', 'partial')))
    union all
    select 'cells in staging = facts in marts (published reports)',
           (select staged_facts from fact_counts),
           (select facts from fact_counts)
    union all
    select 'staged cells missing from fct_indicator_value',
           0,
           (select missing from fact_counts)
    union all
    select 'facts without a staged cell',
           0,
           (select extra from fact_counts)
)
select "check", expected, actual,
       case when expected <> actual then "check" || ': expected ' || expected || ', found ' || actual end
           as mismatch
from counts
"""


def suites(params: GateParams) -> list[Suite]:
    return [
        Suite(
            name="reconcile_counts",
            family="reconcile",
            frame=Frame("staging+marts", _COUNTS),
            expectations=(
                blocking(
                    gxe.ExpectColumnValuesToBeNull,
                    "row counts reconcile between staging and the marts (no report or fact lost or doubled)",
                    column="mismatch",
                ),
                blocking(gxe.ExpectTableRowCountToEqual, "every reconciliation count was computed", value=6),
            ),
        )
    ]
