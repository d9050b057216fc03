-- Parsed report versions that made it past the parse quarantine, with their document metadata.
-- The agency is the registry's (documents.agency_code), never the name the parser read.
with parsed as (
    select * from {{ ref('stg_parse_results') }}
    where parse_status <> 'quarantined'
),

documents as (
    select * from {{ ref('stg_documents') }}
)

select
    {{ surrogate_key(['p.document_id', 'p.version']) }} as report_key,
    {{ surrogate_key(["coalesce(d.agency_code, 'unknown')"]) }} as agency_key,
    p.document_id,
    p.version,
    coalesce(d.agency_code, 'unknown') as agency_code,
    p.agency_as_written,
    p.report_year,
    p.generation,
    p.template,
    d.source_url,
    d.portal,
    d.title,
    d.published_date,
    p.parse_status,
    p.parse_reasons,
    p.n_cells,
    p.parser_version,
    p.parsed_at,
    coalesce(d.is_synthetic, false) as is_synthetic,
    p.version = max(p.version) over (partition by p.document_id) as is_latest
from parsed as p
left join documents as d
    on d.document_id = p.document_id and d.version = p.version
