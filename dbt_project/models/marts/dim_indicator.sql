with indicators as (
    select * from {{ ref('indicators') }}
),

by_indicator as (
    select
        indicator,
        string_agg(generation, ',' order by generation) as generations,
        max(comparability_rank) as comparability_rank,
        -- each note once, though generations share notes and a generation's note joins several ('; ')
        nullif(array_to_string(list_sort(list_distinct(flatten(
            list(string_split(comparability_note, '; ')) filter (where comparability_note is not null)
        ))), '; '), '') as comparability_note
    from {{ ref('int_indicator_comparability') }}
    group by indicator
)

select
    {{ surrogate_key(['i.indicator']) }} as key,
    i.indicator,
    i.name_zh,
    i.name_en,
    i.unit,
    i.section,
    i.definition,
    g.generations,
    case g.comparability_rank
        when 1 then 'comparable'
        when 2 then 'comparable_with_caveat'
        when 3 then 'generation_specific'
    end as comparability,
    g.comparability_note
from indicators as i
left join by_indicator as g on g.indicator = i.indicator
order by i.indicator
