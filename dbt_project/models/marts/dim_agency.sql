-- Agencies (grain: one agency_code), named from their own reports: the latest report's 填报单位 /
-- title, normalised by gongkai.agency (int_agency_observations); the agencies seed only overrides
-- (English name, level, parent) and adds aliases. Codes seen in staging but not in the seed are
-- agencies too (discovered units); the member 'unknown' covers documents without an agency_code.
-- Renames and merges come from int_agency_changes; the deadline rule follows the level.
with registry as (
    select
        agency_code, name_zh, name_en, level, parent_code, region, portal, aliases,
        coalesce(is_synthetic, false) as is_synthetic
    from {{ ref('agencies') }}
    where {{ keep_synthetic('is_synthetic') }}  -- the benchmark's agency: never in a served build
),

observed as (
    select * from {{ ref('int_agency_observations') }}
    where {{ keep_synthetic('is_synthetic') }}
),

latest_name as (  -- the name of the most recent report (by report year, then publication)
    select agency_code, name_full, name_core, level_from_name, name_source
    from observed
    where name_full is not null
    qualify row_number() over (
        partition by agency_code
        order by report_year desc nulls last, published_date desc nulls last,
            case name_source when 'filler' then 0 when 'publisher' then 1 when 'title' then 2 else 3 end,
            document_id, version desc
    ) = 1
),

spans as (
    select
        agency_code,
        min(portal) as portal,
        bool_and(is_synthetic) as is_synthetic,
        cast(min(report_year) as integer) as first_report_year,
        cast(max(report_year) as integer) as last_report_year,
        cast(count(distinct document_id) as integer) as documents
    from observed
    group by agency_code
),

alias_names as (
    select agency_code, trim(alias) as alias
    from (select agency_code, unnest(string_split(aliases, '；')) as alias from observed where aliases is not null)
    union
    select agency_code, trim(alias)
    from (select agency_code, unnest(string_split(aliases, '；')) as alias from registry where aliases is not null)
    union
    select agency_code, name_zh from registry
),

codes as (
    select agency_code from registry
    union
    select agency_code from spans
    union
    select 'unknown'
),

governments as (  -- the county-level government of each portal: parent of its discovered units
    select portal, min(agency_code) as agency_code
    from registry
    where level = 'county_government'
    group by portal
),

changes as (
    select * from {{ ref('int_agency_changes') }}
),

agencies as (
    select
        c.agency_code,
        coalesce(n.name_full, r.name_zh, case when c.agency_code = 'unknown' then '未知' end, c.agency_code) as name_zh,
        coalesce(r.name_en, case when c.agency_code = 'unknown' then 'Unknown agency' end) as name_en,
        n.name_core as short_name,
        coalesce(r.level, n.level_from_name, 'unknown') as level,
        case
            when r.agency_code is not null then nullif(r.parent_code, '')
            when coalesce(n.level_from_name, '') <> 'county_government' then g.agency_code
        end as parent_code,
        r.region,
        coalesce(r.portal, s.portal) as portal,
        case when n.name_full is not null then 'report' when r.agency_code is not null then 'registry' end
            as name_source,
        s.first_report_year,
        s.last_report_year,
        coalesce(s.documents, 0) as documents,
        r.agency_code is not null as in_registry,
        coalesce(r.is_synthetic, s.is_synthetic, false) as is_synthetic
    from codes as c
    left join registry as r on r.agency_code = c.agency_code
    left join latest_name as n on n.agency_code = c.agency_code
    left join spans as s on s.agency_code = c.agency_code
    left join governments as g on g.portal = s.portal and g.agency_code <> c.agency_code
)

select
    {{ surrogate_key(['a.agency_code']) }} as key,
    a.agency_code,
    a.name_zh,
    a.name_en,
    a.short_name,
    a.level,
    case a.level
        when 'county_government' then '县级人民政府'
        when 'county_department' then '县级政府部门'
        when 'township' then '乡镇'
        when 'sub_district' then '街道'
        else '未知'
    end as level_zh,
    case when a.parent_code is not null then {{ surrogate_key(['a.parent_code']) }} end as parent_key,
    a.parent_code,
    p.name_zh as parent_name,
    a.region,
    a.portal,
    (select string_agg(distinct x.alias, '；' order by x.alias) from alias_names as x
        where x.agency_code = a.agency_code and x.alias <> a.name_zh and x.alias <> '') as aliases,
    (select string_agg(distinct ch.predecessor_name, '；' order by ch.predecessor_name) from changes as ch
        where ch.successor_code = a.agency_code and ch.change_kind = 'rename') as former_names,
    (select string_agg(distinct ch.predecessor_code, '；' order by ch.predecessor_code) from changes as ch
        where ch.successor_code = a.agency_code and ch.change_kind <> 'rename') as predecessor_codes,
    (select min(ch.successor_code) from changes as ch
        where ch.predecessor_code = a.agency_code and ch.change_kind <> 'rename') as successor_code,
    (select min(ch.change_kind) from changes as ch
        where a.agency_code in (ch.predecessor_code, ch.successor_code)) as change_kind,
    (select cast(min(ch.change_year) as integer) from changes as ch
        where a.agency_code in (ch.predecessor_code, ch.successor_code)) as change_year,
    a.first_report_year,
    a.last_report_year,
    a.documents,
    a.name_source,
    a.in_registry,
    a.is_synthetic
from agencies as a
left join agencies as p on p.agency_code = a.parent_code
order by a.agency_code
