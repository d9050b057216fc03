{#- Agencies whose timeliness rows change: those of the slice, or all of them when the span of
    report years (the columns of the timeliness grid) is no longer the one the previous build saw. -#}
{{ config(alias='slice_agencies') }}
{%- set previous_timeliness = adapter.get_relation(database=target.database, schema='main', identifier='mart_publication_timeliness') if execute else none %}

select distinct agency_code from {{ ref('build_slice_agency_years') }}
{%- if previous_timeliness is not none %}
union
select distinct agency_code from {{ previous_timeliness }}
where (select (min(report_year), max(report_year)) from {{ previous_timeliness }})
    is distinct from (
        select (min(report_year), max(report_year)) from {{ source('staging', 'parse_results') }}
        where status <> 'quarantined'
    )
{%- endif %}
