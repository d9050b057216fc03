-- Parsed cells at the fact grain: the logic is in macros/conformed_cells.sql (the incremental fact
-- runs the same SQL on the changed documents only).
-- depends_on: {{ ref('stg_parsed_cells') }}, {{ ref('int_report_versions') }}, {{ ref('int_indicator_comparability') }}
{{ conformed_cells() }}
