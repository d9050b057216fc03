-- Every report in dim_report has as many fact rows as it has staged cells with an indicator (counts per
-- report version: cheap on 10M cells). Fewer fact rows = cells lost; more = cells invented. A parser
-- emitting the same grain twice also shows up here (the fact keeps the first cell; see
-- int_cells_conformed): that is worth a failure, the parser should not do it.
-- A build checks the documents it rebuilt (macros/build_slice.sql); `dbt test` checks every report.
-- A warning, not an error: one such report must not stop every build; the gate quarantines it by name
-- (expectations/suites/documents.py) and publishes the rest.
{{ config(severity='warn') }}
with staged as (
    select c.document_id, c.version, count(*) as staged_cells
    from {{ ref('stg_parsed_cells') }} as c
    where c.indicator is not null and {{ in_build_slice('c.document_id') }}
    group by c.document_id, c.version
),

facts as (
    select document_id, version, count(*) as fact_rows
    from {{ ref('fct_indicator_value') }}
    where {{ in_build_slice('document_id') }}
    group by document_id, version
)

select r.document_id, r.version, coalesce(s.staged_cells, 0) as staged_cells, coalesce(f.fact_rows, 0) as fact_rows
from {{ ref('dim_report') }} as r
left join staged as s on s.document_id = r.document_id and s.version = r.version
left join facts as f on f.document_id = r.document_id and f.version = r.version
where {{ in_build_slice('r.document_id') }} and coalesce(s.staged_cells, 0) <> coalesce(f.fact_rows, 0)
