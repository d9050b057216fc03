select
    {{ surrogate_key(['applicant']) }} as key,
    applicant,
    name_zh,
    name_en,
    sort_order
from {{ ref('applicant_types') }}
order by sort_order
