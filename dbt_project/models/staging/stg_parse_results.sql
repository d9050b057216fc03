select
    document_id,
    version,
    generation,
    generation_source,
    template,
    report_year,
    agency as agency_as_written,
    status as parse_status,
    cast(reasons as varchar) as parse_reasons,
    n_cells,
    parser_version,
    parsed_at
from {{ source('staging', 'parse_results') }}
