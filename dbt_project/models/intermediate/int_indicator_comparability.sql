-- Comparability of each indicator within each generation, from the crosswalk seed (the parser's
-- mapping file). Several template cells can map to one indicator: the weakest comparability wins.
with crosswalk as (
    select
        generation,
        indicator,
        comparability,
        nullif(trim(comparability_note), '') as comparability_note,
        case comparability
            when 'comparable' then 1
            when 'comparable_with_caveat' then 2
            else 3
        end as comparability_rank
    from {{ ref('indicator_crosswalk') }}
    where indicator is not null
)

select
    generation,
    indicator,
    case max(comparability_rank)
        when 1 then 'comparable'
        when 2 then 'comparable_with_caveat'
        else 'generation_specific'
    end as comparability,
    max(comparability_rank) as comparability_rank,
    string_agg(distinct comparability_note, '; ' order by comparability_note) as comparability_note
from crosswalk
group by generation, indicator
