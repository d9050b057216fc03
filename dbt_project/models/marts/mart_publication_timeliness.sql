-- Publication timeliness (grain: agency x report year). Expected reports = every agency of
-- dim_agency (registry or discovered) for every report year from its first collected report (or,
-- never collected, the warehouse's first year) to the last year observed, ending the year before
-- it was merged into a successor. Each row is on_time / late / date_unknown (a parsed report),
-- collected_unparsed (a document was collected for that year but the parser quarantined it or its
-- text could not be extracted: it was published, its figures are not in the warehouse), or missing.
-- The deadline follows the regime and the agency's level (publication_deadlines seed, with the
-- article's text); the date that counts is the first publication (a later revision is not late).
-- Incremental by agency (the build slice): all years of the agencies of changed documents, or of
-- every agency when the span of report years changed (macros/build_slice.sql).
-- depends_on: {{ ref('build_slice') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ delete_build_slice('agency') }}"
) }}

with observed as (
    select * from {{ ref('int_agency_observations') }}
    where report_year is not null
),

bounds as (
    select min(report_year) as first_year, max(report_year) as last_year
    from (
        select report_year from {{ ref('int_report_versions') }}
        union all
        select report_year from observed
    )
),

years as (
    select y.year, y.regime
    from {{ ref('dim_year') }} as y, bounds as b
    where y.year between b.first_year and b.last_year
),

agencies as (
    select * from {{ ref('dim_agency') }}
    where (in_registry
        or agency_code in (select agency_code from {{ ref('int_report_versions') }})
        or agency_code in (select agency_code from observed))
    {%- if is_incremental() %}
        and {{ in_build_slice_agencies('agency_code') }}
    {%- endif %}
),

merged_away as (  -- an agency merged or converted into a successor is not expected from then on
    select predecessor_code as agency_code, min(change_year) as change_year
    from {{ ref('int_agency_changes') }}
    where change_kind <> 'rename'
    group by predecessor_code
),

reports as (
    select * from {{ ref('int_agency_year_reports') }}
),

unparsed as (  -- collected for the year, but no parsed version: the first such document per agency-year
    select
        agency_code,
        report_year,
        document_id,
        published_date,
        case
            when parse_status = 'quarantined' then 'parse quarantined'
            when document_status in ('failed', 'quarantined') then 'document ' || document_status
            else 'not parsed yet'
        end as unparsed_reason
    from observed
    where coalesce(parse_status, '') not in ('complete', 'partial')
    qualify row_number() over (
        partition by agency_code, report_year order by published_date nulls last, document_id
    ) = 1
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
        a.level_zh as agency_level_zh,
        a.parent_code,
        a.parent_name,
        a.is_synthetic,
        y.year as report_year,
        y.regime,
        make_date(y.year + 1, d.deadline_month, d.deadline_day) as deadline,
        d.legal_basis,
        coalesce(d.is_assumption, true) as deadline_is_assumption
    from agencies as a
    cross join years as y
    left join merged_away as m on m.agency_code = a.agency_code
    left join deadlines as d
        on d.regime = y.regime and d.agency_level = a.level
    where y.year >= coalesce(a.first_report_year, y.year)
        and (m.change_year is null or y.year < m.change_year)
),

joined as (
    select
        g.*,
        r.document_id as report_document_id,
        r.version as report_version,
        r.first_published_date,
        r.is_synthetic as report_is_synthetic,
        u.document_id as unparsed_document_id,
        u.published_date as unparsed_published_date,
        u.unparsed_reason
    from grid as g
    left join reports as r
        on r.agency_code = g.agency_code and r.report_year = g.report_year
    left join unparsed as u
        on u.agency_code = g.agency_code and u.report_year = g.report_year and r.document_id is null
),

measured as (
    select
        *,
        coalesce(first_published_date, unparsed_published_date) as published_date,
        cast(date_diff('day', deadline, coalesce(first_published_date, unparsed_published_date)) as integer)
            as days_after_deadline,
        case
            when report_document_id is not null and (first_published_date is null or deadline is null)
                then 'date_unknown'
            when report_document_id is not null and first_published_date <= deadline then 'on_time'
            when report_document_id is not null then 'late'
            when unparsed_document_id is not null then 'collected_unparsed'
            else 'missing'
        end as status
    from joined
)

select
    {{ surrogate_key(['agency_code', 'report_year']) }} as key,
    agency_key,
    agency_code,
    agency_name,
    agency_level,
    agency_level_zh,
    parent_code,
    parent_name,
    report_year,
    make_date(report_year, 1, 1) as report_year_date,
    regime,
    deadline,
    legal_basis,
    deadline_is_assumption,
    case when report_document_id is not null
        then {{ surrogate_key(['report_document_id', 'report_version']) }} end as report_key,
    coalesce(report_document_id, unparsed_document_id) as document_id,
    published_date,
    days_after_deadline,
    case when days_after_deadline is not null then greatest(days_after_deadline, 0) end as days_late,
    case when days_after_deadline is not null then greatest(-days_after_deadline, 0) end as days_early,
    case when deadline is not null and published_date is not null
        then published_date <= deadline end as published_on_time,
    status,
    case status
        when 'on_time' then '按时'
        when 'late' then '逾期'
        when 'missing' then '缺失'
        when 'collected_unparsed' then '已收集未解析'
        else '日期不明'
    end as status_zh,
    unparsed_reason,
    is_synthetic or coalesce(report_is_synthetic, false) as is_synthetic
from measured
