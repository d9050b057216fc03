-- Incremental by document: any document with a cell parsed after the last build is rewritten whole
-- (all its versions), so is_latest moves to a new version while older versions stay.
-- Keys of the dimensions come from joins (report/agency keys are computed once per report in
-- int_report_versions), so only the fact's own key is hashed per row. No ORDER BY: sorting ~10M
-- wide rows would double the build time; read it ordered by key (rows are identical on a rebuild).
-- depends_on: {{ ref('stg_parsed_cells') }}, {{ ref('int_report_versions') }}, {{ ref('int_indicator_comparability') }}
{{ config(
    materialized='incremental',
    unique_key='document_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns'
) }}

with cells as (
    {% if is_incremental() %}
    {{ conformed_cells(
        "document_id in (select document_id from " ~ ref('stg_parsed_cells')
        ~ " where parsed_at > (select coalesce(max(parsed_at), timestamp '1900-01-01') from " ~ this ~ "))"
    ) | indent(4) }}
    {% else %}
    select * from {{ ref('int_cells_conformed') }}
    {% endif %}
),

indicators as (
    select key, indicator from {{ ref('dim_indicator') }}
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
