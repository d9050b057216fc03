-- The parse quarantine: report versions the parser could not trust (kept with their reasons).
select
    r.document_id,
    r.version,
    d.agency_code,
    d.source_url,
    d.title,
    r.generation,
    r.report_year,
    r.parse_reasons,
    r.parser_version,
    r.parsed_at
from {{ ref('stg_parse_results') }} as r
left join {{ ref('stg_documents') }} as d
    on d.document_id = r.document_id and d.version = r.version
where r.parse_status = 'quarantined'
