select run_id, url, method, status, bytes, elapsed_ms, error, fetched_at
from {{ source('staging', 'fetch_log') }}
