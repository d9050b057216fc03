select
    document_id,
    version,
    cell_no,
    table_id,
    row_label,
    column_label,
    indicator,
    applicant,
    value,
    raw,
    line,
    source,
    approximate,
    parsed_at
from {{ source('staging', 'parsed_cells') }}
