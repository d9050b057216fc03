{#- md5 surrogate key over columns/expressions; NULL and '' are distinguished. In-project because the
    dbt hub (dbt_utils) is unreachable here. -#}
{% macro surrogate_key(columns) -%}
md5({%- for col in columns -%}
coalesce(cast({{ col }} as varchar), '<null>')
{%- if not loop.last %} || '|' || {% endif -%}
{%- endfor -%})
{%- endmacro %}
