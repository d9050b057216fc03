select document_id, version, text, extractor, extractor_version, chars, extracted_at
from {{ source('staging', 'raw_texts') }}
