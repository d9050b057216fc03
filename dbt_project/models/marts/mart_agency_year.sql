{%- set indicators = [
    'proactive_total', 'requests_received', 'requests_carried_in', 'results_granted', 'results_partial',
    'results_denied', 'results_total', 'carried_over', 'reviews_total', 'litigation_total', 'complaints',
    'fees', 'staff_total'
] -%}
-- One row per agency x report year (the report chosen in int_agency_year_reports), main conformed
-- indicators as columns (applicant total, table wins over narrative: see mart_indicator_series).
-- Counts are BIGINT; fees (万元) stay DOUBLE.
-- Incremental by agency-year (the build slice): the agency-years of changed documents are rebuilt.
-- depends_on: {{ ref('build_slice') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ delete_build_slice('agency_year') }}"
) }}

with chosen as (
    select r.* from {{ ref('int_agency_year_reports') }} as r
    {%- if is_incremental() %}
    where {{ in_build_slice_agency_years('r.agency_code', 'r.report_year') }}
    {%- endif %}
),

series as (
    select m.* from {{ ref('mart_indicator_series') }} as m
    where m.applicant = 'total'
    {%- if is_incremental() %}
        and {{ in_build_slice_agency_years('m.agency_code', 'm.report_year') }}
    {%- endif %}
        and indicator in ({% for i in indicators %}'{{ i }}'{% if not loop.last %}, {% endif %}{% endfor %})
),

pivoted as (
    select
        agency_code,
        report_year,
        {%- for i in indicators %}
        {%- if i == 'fees' %}
        max(value) filter (where indicator = '{{ i }}') as {{ i }}{% if not loop.last %},{% endif %}
        {%- else %}
        max(count_value) filter (where indicator = '{{ i }}') as {{ i }}{% if not loop.last %},{% endif %}
        {%- endif %}
        {%- endfor %}
    from series
    group by agency_code, report_year
)

select
    {{ surrogate_key(['c.agency_code', 'c.report_year']) }} as key,
    {{ surrogate_key(['c.agency_code']) }} as agency_key,
    c.agency_code,
    a.name_zh as agency_name,
    a.level as agency_level,
    c.report_year,
    make_date(c.report_year, 1, 1) as report_year_date,
    {{ surrogate_key(['c.document_id', 'c.version']) }} as report_key,
    c.document_id,
    c.version,
    c.generation,
    c.published_date,
    c.parse_status,
    {%- for i in indicators %}
    p.{{ i }},
    {%- endfor %}
    c.is_synthetic
from chosen as c
left join pivoted as p on p.agency_code = c.agency_code and p.report_year = c.report_year
left join {{ ref('dim_agency') }} as a on a.agency_code = c.agency_code
