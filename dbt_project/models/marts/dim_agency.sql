-- Agencies: the registry seed, plus agency codes seen in staging but absent from the seed, plus the
-- member 'unknown' (documents without an agency_code), so that every report resolves to an agency.
with registry as (
    select
        agency_code, name_zh, name_en, level, parent_code, region, portal,
        coalesce(is_synthetic, false) as is_synthetic,
        true as in_registry
    from {{ ref('agencies') }}
),

seen_only as (
    select
        agency_code,
        min(agency_name) as name_zh,
        cast(null as varchar) as name_en,
        'unknown' as level,
        cast(null as varchar) as parent_code,
        cast(null as varchar) as region,
        min(portal) as portal,
        bool_and(is_synthetic) as is_synthetic,
        false as in_registry
    from {{ ref('stg_documents') }}
    where agency_code is not null
        and agency_code not in (select agency_code from registry)
    group by agency_code
),

unknown_member as (
    select
        'unknown' as agency_code,
        '未知' as name_zh,
        'Unknown agency' as name_en,
        'unknown' as level,
        cast(null as varchar) as parent_code,
        cast(null as varchar) as region,
        cast(null as varchar) as portal,
        false as is_synthetic,
        false as in_registry
    where 'unknown' not in (select agency_code from registry union all select agency_code from seen_only)
),

agencies as (
    select * from registry
    union all
    select * from seen_only
    union all
    select * from unknown_member
)

select
    {{ surrogate_key(['agency_code']) }} as key,
    agency_code,
    name_zh,
    name_en,
    level,
    case when parent_code is not null then {{ surrogate_key(['parent_code']) }} end as parent_key,
    parent_code,
    region,
    portal,
    in_registry,
    is_synthetic
from agencies
order by agency_code
