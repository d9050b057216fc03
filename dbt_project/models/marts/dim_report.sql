select
    report_key as key,
    document_id,
    version,
    agency_key,
    agency_code,
    agency_as_written,
    report_year,
    case when report_year is not null then {{ surrogate_key(['report_year']) }} end as year_key,
    generation,
    case when generation is not null then {{ surrogate_key(['generation']) }} end as generation_key,
    template,
    source_url,
    portal,
    title,
    published_date,
    parse_status,
    parse_reasons,
    n_cells,
    parser_version,
    is_latest,
    is_synthetic
from {{ ref('int_report_versions') }}
order by document_id, version
