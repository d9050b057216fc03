-- Long series: for the report chosen per agency-year (int_agency_year_reports), one value per
-- indicator x applicant; the table value wins over a narrative value of the same indicator.
-- Written with joins against the (small) narrative set instead of window functions over the whole
-- fact table, and without ORDER BY, to stay fast at 10M facts. key = the key of the fact row shown.
-- Incremental by agency-year (the build slice): the agency-years of changed documents are rebuilt.
-- depends_on: {{ ref('build_slice') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ delete_build_slice('agency_year') }}"
) }}

with chosen as (
    select r.document_id, r.version from {{ ref('int_agency_year_reports') }} as r
    {%- if is_incremental() %}
    where {{ in_build_slice_agency_years('r.agency_code', 'r.report_year') }}
    {%- endif %}
),

facts as (
    select f.*
    from {{ ref('fct_indicator_value') }} as f
    inner join chosen as c on c.document_id = f.document_id and c.version = f.version
),

narrative as (
    select document_id, version, indicator, applicant from facts where source = 'narrative'
),

narrative_also_in_table as (
    select n.document_id, n.version, n.indicator, n.applicant
    from narrative as n
    inner join facts as t
        on t.source = 'table' and t.document_id = n.document_id and t.version = n.version
        and t.indicator = n.indicator and t.applicant = n.applicant
),

picked as (
    select t.*, n.document_id is not null as has_narrative
    from facts as t
    left join narrative as n
        on n.document_id = t.document_id and n.version = t.version
        and n.indicator = t.indicator and n.applicant = t.applicant
    where t.source = 'table'
    union all
    select f.*, true as has_narrative
    from facts as f
    where f.source = 'narrative'
        and not exists (
            select 1 from narrative_also_in_table as d
            where d.document_id = f.document_id and d.version = f.version
                and d.indicator = f.indicator and d.applicant = f.applicant
        )
)

select
    r.key,
    r.agency_key,
    r.agency_code,
    a.name_zh as agency_name,
    r.report_key,
    r.indicator_key,
    r.report_year,
    r.report_year_date,
    r.generation,
    r.indicator,
    i.name_zh as indicator_name_zh,
    i.name_en as indicator_name_en,
    i.unit,
    i.section,
    r.applicant,
    r.value,
    r.count_value,
    r.source,
    r.approximate,
    r.has_narrative,
    r.comparability,
    x.comparability_note,
    r.is_synthetic
from picked as r
left join {{ ref('dim_agency') }} as a on a.key = r.agency_key
left join {{ ref('dim_indicator') }} as i on i.key = r.indicator_key
left join {{ ref('int_indicator_comparability') }} as x
    on x.generation = r.generation and x.indicator = r.indicator
