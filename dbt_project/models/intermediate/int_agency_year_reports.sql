-- The one report that speaks for an agency in a report year: latest versions only; when an agency
-- published two different reports for the same year, the most recently published one wins, then the
-- smallest document_id (deterministic; the others are listed as duplicates in mart_report_quality).
-- first_published_date = publication date of its first version.
with latest as (
    select * from {{ ref('int_report_versions') }}
    where is_latest and report_year is not null
),

first_publication as (
    select document_id, min(published_date) as first_published_date
    from {{ ref('stg_documents') }}
    group by document_id
)

select
    l.*,
    f.first_published_date,
    -- more than 1: the agency-year has duplicate reports (mart_report_quality lists the ones not shown)
    count(*) over (partition by l.agency_code, l.report_year) as reports_in_agency_year
from latest as l
left join first_publication as f on f.document_id = l.document_id
qualify row_number() over (
    partition by l.agency_code, l.report_year
    order by l.published_date desc nulls last, l.document_id
) = 1
