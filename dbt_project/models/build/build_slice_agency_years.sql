{#- The agency-years the slice's documents belong to now (staging) or were shown under before (the
    previous mart_agency_year): the grain of the agency-year marts. An agency missing from the
    registry is named after its documents (dim_agency): a new document can rename it, so all its
    agency-years are rebuilt. The previous marts are read as relations (not ref: they are built
    from this slice). -#}
{{ config(alias='slice_agency_years') }}
{%- set previous_marts = adapter.get_relation(database=target.database, schema='main', identifier='mart_agency_year') if execute else none -%}
{%- set registry = adapter.get_relation(database=target.database, schema='seeds', identifier='agencies') if execute else none %}

with changed as (
    -- agency and year as int_report_versions states them (agency: the registry code, else 'unknown')
    select distinct coalesce(d.agency_code, 'unknown') as agency_code, p.report_year
    from {{ source('staging', 'parse_results') }} as p
    left join {{ source('staging', 'documents') }} as d
        on d.document_id = p.document_id and d.version = p.version
    where p.report_year is not null
        and p.document_id in (select document_id from {{ ref('build_slice') }})
    {%- if previous_marts is not none %}
    union
    select agency_code, report_year from {{ previous_marts }}
    where document_id in (select document_id from {{ ref('build_slice') }})
    {%- endif %}
)

select agency_code, report_year from changed
{%- if previous_marts is not none and registry is not none %}
union
select agency_code, report_year from {{ previous_marts }}
where agency_code in (select agency_code from changed)
    and agency_code not in (select agency_code from {{ registry }})
{%- endif %}
