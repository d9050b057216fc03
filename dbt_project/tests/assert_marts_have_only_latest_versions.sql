-- mart_agency_year and mart_indicator_series show only the latest version of each report.
-- A build checks the agency-years it rebuilt (macros/build_slice.sql); `dbt test` checks all of them.
select m.report_key, 'mart_agency_year' as mart
from {{ ref('mart_agency_year') }} as m
inner join {{ ref('dim_report') }} as r on r.key = m.report_key
where not r.is_latest and {{ in_build_slice_agency_years('m.agency_code', 'm.report_year') }}
union all
select distinct m.report_key, 'mart_indicator_series'
from {{ ref('mart_indicator_series') }} as m
inner join {{ ref('dim_report') }} as r on r.key = m.report_key
where not r.is_latest and {{ in_build_slice_agency_years('m.agency_code', 'm.report_year') }}
