{#- Fails with every row of `model` whose (columns) combination is absent from (to_columns) of `to`.
    A composite-key relationships test; rows with a NULL in `columns` are ignored. -#}
{% test rows_exist_in(model, columns, to, to_columns, where_clause=none) %}
with m as (
    select * from {{ model }}
)

select {% for c in columns %}m.{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}, count(*) as n
from m
where {% for c in columns %}m.{{ c }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
  {% if where_clause %}and ({{ where_clause }}){% endif %}
  and not exists (
    select 1 from {{ to }} as t
    where {% for c in columns %}t.{{ to_columns[loop.index0] }} = m.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}
  )
group by {% for c in columns %}m.{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}
{% endtest %}
