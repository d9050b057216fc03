{#- Whether synthetic (benchmark) agencies and reports belong in this build: only when the var
    `include_synthetic` or the environment variable GONGKAI_INCLUDE_SYNTHETIC (which
    gongkai.config.Settings.env() sets for dbt) says so. Served warehouses never list them. -#}
{% macro include_synthetic() -%}
    {%- set raw = var('include_synthetic', env_var('GONGKAI_INCLUDE_SYNTHETIC', 'false')) -%}
    {{- return((raw | string | lower) in ('1', 'true', 'yes', 'on')) -}}
{%- endmacro %}

{#- SQL predicate keeping a row unless it is synthetic and synthetic data is not included. -#}
{% macro keep_synthetic(flag) -%}
    {%- if include_synthetic() -%} true {%- else -%} not coalesce({{ flag }}, false) {%- endif -%}
{%- endmacro %}
