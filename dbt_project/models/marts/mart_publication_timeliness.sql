-- Expected reports = every registry agency (and every agency that has a report) x every report year
-- from the first to the last observed; each is on_time / late / missing / date_unknown against the
-- deadline of its regime and agency level (publication_deadlines seed). The date that counts is the
-- first publication of the chosen report (a later revision does not make it late).
-- Incremental by agency (the build slice): all years of the agencies of changed documents, or of
-- every agency when the span of report years changed (macros/build_slice.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ delete_build_slice('agency') }}"
) }}

with bounds as (
    select min(report_year) as first_year, max(report_year) as last_year
    from {{ ref('int_report_versions') }}
),

years as (
    select y.year, y.regime
    from {{ ref('dim_year') }} as y, bounds as b
    where y.year between b.first_year and b.last_year
),

agencies as (
    select * from {{ ref('dim_agency') }}
    where (in_registry
        or agency_code in (select agency_code from {{ ref('int_report_versions') }}))
    {%- if is_incremental() %}
        and {{ in_build_slice_agencies('agency_code') }}
    {%- endif %}
),

reports as (
    select * from {{ ref('int_agency_year_reports') }}
),

deadlines as (
    select * from {{ ref('publication_deadlines') }}
),

grid as (
    select
        a.key as agency_key,
        a.agency_code,
        a.name_zh as agency_name,
        a.level as agency_level,
        a.is_synthetic,
        y.year as report_year,
        y.regime,
        make_date(y.year + 1, d.deadline_month, d.deadline_day) as deadline,
        d.legal_basis
    from agencies as a
    cross join years as y
    left join deadlines as d
        on d.regime = y.regime and d.agency_level = a.level
)

select
    {{ surrogate_key(['g.agency_code', 'g.report_year']) }} as key,
    g.agency_key,
    g.agency_code,
    g.agency_name,
    g.agency_level,
    g.report_year,
    g.regime,
    g.deadline,
    g.legal_basis,
    case when r.document_id is not null then {{ surrogate_key(['r.document_id', 'r.version']) }} end as report_key,
    r.document_id,
    r.first_published_date as published_date,
    cast(date_diff('day', g.deadline, r.first_published_date) as integer) as days_late,
    case
        when r.document_id is null then 'missing'
        when r.first_published_date is null or g.deadline is null then 'date_unknown'
        when r.first_published_date <= g.deadline then 'on_time'
        else 'late'
    end as status,
    g.is_synthetic or coalesce(r.is_synthetic, false) as is_synthetic
from grid as g
left join reports as r
    on r.agency_code = g.agency_code and r.report_year = g.report_year
