{#- Use a custom schema name as-is (stg, int, seeds) instead of <target>_<custom>; marts stay in the
    target schema (main), which is what the validation and publishing steps read. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
{%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
