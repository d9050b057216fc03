{% macro conformed_cells(document_filter=none) -%}
-- Parsed cells conformed to the warehouse grain (report version x indicator x applicant x source):
--  * applicant NULL ("not broken down by applicant", every G1 cell) -> 'total';
--  * comparability of the indicator in the report's generation from the crosswalk;
--  * a cell without an indicator code is left out (test not_null on stg_parsed_cells.indicator warns);
--  * if one source states the same indicator/applicant twice, the first cell (lowest cell_no) is kept
--    (the singular test assert_fact_reconciles_with_staged_cells fails, naming the report).
-- Shared by int_cells_conformed (all cells) and fct_indicator_value's incremental run (only the
-- changed documents, filtered before the dedupe so that an incremental run does not touch every cell).
with cells as (
    select
        *,
        coalesce(applicant, 'total') as applicant_conformed
    from {{ ref('stg_parsed_cells') }}
    where indicator is not null
    {%- if document_filter %}
        and {{ document_filter }}
    {%- endif %}
),

reports as (
    select * from {{ ref('int_report_versions') }}
),

comparability as (
    select * from {{ ref('int_indicator_comparability') }}
),

-- grains stated twice by one source: keep the lowest cell_no (a hash aggregate on narrow columns
-- and an anti-join with this tiny set: much cheaper than a window over every wide cell row)
duplicated_grains as (
    select document_id, version, indicator, applicant_conformed, source, min(cell_no) as kept_cell_no
    from cells
    group by document_id, version, indicator, applicant_conformed, source
    having count(*) > 1
)

select
    c.document_id,
    c.version,
    c.cell_no,
    c.table_id,
    c.row_label,
    c.column_label,
    c.indicator,
    c.applicant_conformed as applicant,
    c.value,
    c.raw,
    c.line,
    c.source,
    c.approximate,
    c.parsed_at,
    r.report_key,
    r.agency_key,
    r.agency_code,
    r.report_year,
    r.generation,
    r.is_latest,
    r.is_synthetic,
    x.comparability
from cells as c
inner join reports as r
    on r.document_id = c.document_id and r.version = c.version
left join comparability as x
    on x.generation = r.generation and x.indicator = c.indicator
where not exists (
    select 1 from duplicated_grains as d
    where d.document_id = c.document_id and d.version = c.version and d.indicator = c.indicator
        and d.applicant_conformed = c.applicant_conformed and d.source = c.source
        and d.kept_cell_no <> c.cell_no
)
{%- endmacro %}
