-- Incremental by document (the build slice, macros/build_slice.sql): every version of a changed
-- document is rewritten (is_latest moves to its new version).
-- depends_on: {{ ref('build_slice') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ delete_build_slice() }}"
) }}

select
    report_key as key,
    document_id,
    version,
    agency_key,
    agency_code,
    agency_as_written,
    report_year,
    case when report_year is not null then {{ surrogate_key(['report_year']) }} end as year_key,
    generation,
    case when generation is not null then {{ surrogate_key(['generation']) }} end as generation_key,
    template,
    source_url,
    portal,
    title,
    published_date,
    parse_status,
    parse_reasons,
    n_cells,
    parser_version,
    is_latest,
    is_synthetic
from {{ ref('int_report_versions') }}
{%- if is_incremental() %}
where {{ in_build_slice('document_id') }}
{%- endif %}
