select document_id, version, check_no, name as check_name, holds, detail, parsed_at
from {{ source('staging', 'parse_checks') }}
