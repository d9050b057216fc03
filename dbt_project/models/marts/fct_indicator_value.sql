-- Incremental by document (the build slice, macros/build_slice.sql): every version of each document
-- whose parse changed since the last clean build is deleted and inserted again, so is_latest moves to a
-- new version while older versions stay, and a report that became quarantined loses its facts.
-- Keys of the dimensions come from joins (report/agency keys are computed once per report in
-- int_report_versions), so only the fact's own key is hashed per row. No ORDER BY: sorting ~10M
-- wide rows would double the build time; read it ordered by key (rows are identical on a rebuild).
-- depends_on: {{ ref('stg_parsed_cells') }}, {{ ref('int_report_versions') }}, {{ ref('int_indicator_comparability') }}
-- depends_on: {{ ref('build_slice') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ delete_build_slice() }}"
) }}

with cells as (
    {% if is_incremental() %}
    {{ conformed_cells(in_build_slice('document_id')) | indent(4) }}
    {% else %}
    select * from {{ ref('int_cells_conformed') }}
    {% endif %}
),

indicators as (
    select key, indicator, unit from {{ ref('dim_indicator') }}
),

applicant_types as (
    select key, applicant from {{ ref('dim_applicant_type') }}
)

select
    {{ surrogate_key(['c.document_id', 'c.version', 'c.indicator', 'c.applicant', 'c.source']) }} as key,
    c.report_key,
    i.key as indicator_key,
    a.key as applicant_type_key,
    c.agency_key,
    c.document_id,
    c.version,
    c.agency_code,
    c.report_year,
    c.generation,
    c.indicator,
    c.applicant,
    c.value,
    -- counts as integers for BI (amounts in 万元 stay in `value` only; a fractional count stays NULL here)
    case when coalesce(i.unit, '') <> '万元' and c.value = trunc(c.value) then cast(c.value as bigint) end as count_value,
    make_date(c.report_year, 1, 1) as report_year_date,
    c.source,
    c.approximate,
    c.comparability,
    c.table_id,
    c.row_label,
    c.column_label,
    c.raw,
    c.line,
    c.cell_no,
    c.is_latest,
    c.is_synthetic,
    c.parsed_at
from cells as c
left join indicators as i on i.indicator = c.indicator
left join applicant_types as a on a.applicant = c.applicant
