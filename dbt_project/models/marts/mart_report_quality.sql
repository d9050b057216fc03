-- Every collected document, one row each (its latest staged version), with what became of it and why:
--   published          its report is the one the marts show for its agency-year
--   duplicate          a parsed report, but another report speaks for the same agency-year (the
--                      latest published, then the smallest document_id): a duplicate warning
--   no_report_year     parsed, but the report year could not be read: in no agency-year mart
--   parse_quarantined  the parser could not trust the text (reasons from the parser)
--   not_parsed         fetched and extracted, not parsed (yet)
--   fetch_failed       the download or the text extraction failed (reasons: the error)
--   gate_quarantined   set in the published copy only: the gate's per-document checks failed
-- A full table (one row per document: cheap at every size), rebuilt on every build.
with documents as (
    select * from {{ ref('stg_documents') }}
    qualify version = max(version) over (partition by document_id)
),

parsed as (
    select * from {{ ref('stg_parse_results') }}
),

chosen as (
    select agency_code, report_year, document_id, version, reports_in_agency_year
    from {{ ref('int_agency_year_reports') }}
),

reports as (
    select * from {{ ref('int_report_versions') }}
    where is_latest
),

rows as (
    select
        d.document_id,
        d.version,
        coalesce(d.agency_code, 'unknown') as agency_code,
        d.portal,
        d.source_url,
        d.title,
        d.published_date,
        d.document_status as fetch_status,
        p.parse_status,
        coalesce(r.report_year, p.report_year) as report_year,
        coalesce(r.generation, p.generation) as generation,
        p.n_cells,
        r.version as shown_version,
        c.document_id as shown_document_id,
        c.reports_in_agency_year,
        case
            when d.document_status <> 'ok' then 'fetch_failed'
            when p.document_id is null then 'not_parsed'
            when p.parse_status = 'quarantined' then 'parse_quarantined'
            when r.document_id is null then 'not_parsed'
            when r.report_year is null then 'no_report_year'
            when c.document_id = d.document_id then 'published'
            else 'duplicate'
        end as status,
        case
            when d.document_status <> 'ok' then coalesce(d.error, 'fetch failed')
            when p.document_id is null then 'version ' || d.version || ' not parsed yet'
            when p.parse_status = 'quarantined' then p.parse_reasons
            when r.document_id is null then 'version ' || d.version || ' not parsed yet'
            when r.report_year is null then 'no report year found in the text'
            when c.document_id <> d.document_id then
                'duplicate: ' || c.reports_in_agency_year || ' reports for ' || c.agency_code || ' '
                || c.report_year || '; shown: ' || c.document_id
        end as reasons,
        coalesce(d.is_synthetic, false) as is_synthetic
    from documents as d
    left join parsed as p on p.document_id = d.document_id and p.version = d.version
    left join reports as r on r.document_id = d.document_id
    left join chosen as c on c.agency_code = r.agency_code and c.report_year = r.report_year
)

select
    {{ surrogate_key(['document_id']) }} as key,
    {{ surrogate_key(['agency_code']) }} as agency_key,
    document_id,
    version,
    agency_code,
    portal,
    source_url,
    title,
    published_date,
    report_year,
    generation,
    fetch_status,
    parse_status,
    n_cells,
    shown_version,
    shown_document_id,
    cast(reports_in_agency_year as integer) as reports_in_agency_year,
    status,
    reasons,
    is_synthetic
from rows
