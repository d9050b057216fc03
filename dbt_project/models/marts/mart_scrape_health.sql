-- Scrape health for people (grain: one scrape run x portal column): what each run asked each
-- column for and got — requests, items listed, reports new/changed/failed, seconds — with the
-- column's agency, and whether a column that used to list reports came back empty or no longer
-- parses (portal drift), which is what the silence alert reports.
with history as (
    select * from {{ ref('stg_scrape_history') }}
),

column_agency as (  -- the agency a column's reports belong to (its latest document)
    select portal, column_id, agency_code
    from {{ ref('stg_documents') }}
    where column_id is not null
    qualify row_number() over (partition by portal, column_id order by last_seen desc, document_id) = 1
),

with_past as (
    select
        h.*,
        coalesce(
            max(h.reports_listed) over (
                partition by h.portal, h.column_id order by h.recorded_at, h.run_id
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) > 0 as listed_reports_before
    from history as h
)

select
    {{ surrogate_key(['h.run_id', 'h.portal', 'h.column_id']) }} as key,
    h.run_id,
    h.recorded_at,
    cast(h.recorded_at as date) as recorded_date,
    h.portal,
    h.column_id,
    a.key as agency_key,
    c.agency_code,
    a.name_zh as agency_name,
    a.level_zh as agency_level_zh,
    h.mechanism,
    h.window_since,
    h.window_until,
    cast(h.requests as integer) as requests,
    cast(h.list_requests as integer) as list_requests,
    cast(h.listed as integer) as listed,
    cast(h.reports_listed as integer) as reports_listed,
    cast(h.new as integer) as new_reports,
    cast(h.changed as integer) as changed_reports,
    cast(h.unchanged as integer) as unchanged_reports,
    cast(h.failed as integer) as failed_reports,
    cast(h.seconds as double) as seconds,
    case when h.new + h.changed > 0 then cast(h.requests as double) / (h.new + h.changed) end
        as requests_per_landed_report,
    h.status,
    case h.status
        when 'ok' then '正常'
        when 'empty' then '无条目'
        when 'drift' then '页面结构变化'
        when 'unreachable' then '无法访问'
        else '错误'
    end as status_zh,
    h.error,
    h.listed_reports_before,
    h.listed_reports_before and h.status in ('empty', 'drift') as needs_attention
from with_past as h
left join column_agency as c on c.portal = h.portal and c.column_id = h.column_id
left join {{ ref('dim_agency') }} as a on a.agency_code = c.agency_code
