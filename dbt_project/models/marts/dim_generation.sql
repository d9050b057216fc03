select
    {{ surrogate_key(['generation']) }} as key,
    generation,
    name,
    template_notice,
    first_year,
    last_year
from {{ ref('generations') }}
order by generation
