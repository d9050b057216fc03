select sha256, size_bytes, content_type, url, first_seen
from {{ source('staging', 'blobs') }}
