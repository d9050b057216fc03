"""Reconciliation family (blocking, table-wide): report counts agree across the layers, so no report
is lost or doubled between staging and the marts, and the warehouse is the result of a dbt
invocation that finished cleanly. Facts are reconciled with the staged cells document by document
(``expectations.suites.documents``: a failing document quarantines itself)."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.frames import Frame
from expectations.suites.base import GateParams, Suite, blocking

_COUNTS = """
with docs as (
    select document_id, version, status from staging.main.documents
),
parsed as (
    select document_id, version, status from staging.main.parse_results
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
)
select "check", expected, actual,
       case when expected <> actual then "check" || ': expected ' || expected || ', found ' || actual end
           as mismatch
from counts
"""

# build_state (dbt_project/macros/build_slice.sql, models/build/): the on-run-start hook records every
# dbt invocation that can write the warehouse, before any node runs (build_state.invocations
# .started_at; a warehouse built before that hook existed has only its slices' opened_at); only a
# clean `dbt build` appends a watermark (on-run-end). An invocation started after the last watermark
# was killed, failed, or wrote only part of the warehouse (a selection, a seed).
STARTED = {
    "slice_info": "select max(opened_at) as opened_at from build_state.slice_info",
    "invocations": "select max(started_at) as opened_at from build_state.invocations",
}
BUILD_FINISHED = """
with opened as ({started}),
built as (select max(built_at) as built_at from build_state.watermark)
select case
    when built.built_at is null then 'the warehouse has no clean dbt build'
    when opened.opened_at > built.built_at then
        'the last dbt invocation (started ' || strftime(opened.opened_at, '%Y-%m-%d %H:%M:%S')
        || ') did not finish a clean build; the last clean build finished '
        || strftime(built.built_at, '%Y-%m-%d %H:%M:%S') || ': run `gongkai build`'
    end as problem
from opened, built
"""


def suites(params: GateParams) -> list[Suite]:
    return [
        Suite(
            name="build_finished",
            family="reconcile",
            frame=Frame(
                "build_state.watermark", BUILD_FINISHED.format(started=STARTED[params.build_started])
            ),
            expectations=(
                blocking(
                    gxe.ExpectColumnValuesToBeNull,
                    "the warehouse is the result of a dbt build that finished cleanly",
                    column="problem",
                ),
            ),
        ),
        Suite(
            name="reconcile_counts",
            family="reconcile",
            frame=Frame("staging+marts", _COUNTS),
            expectations=(
                blocking(
                    gxe.ExpectColumnValuesToBeNull,
                    "report counts reconcile between staging and the marts (no report lost or doubled)",
                    column="mismatch",
                ),
                blocking(gxe.ExpectTableRowCountToEqual, "every reconciliation count was computed", value=3),
            ),
        ),
    ]
