-- mart_agency_year and mart_indicator_series show only the latest version of each report.
select m.report_key, 'mart_agency_year' as mart
from {{ ref('mart_agency_year') }} as m
inner join {{ ref('dim_report') }} as r on r.key = m.report_key
where not r.is_latest
union all
select distinct m.report_key, 'mart_indicator_series'
from {{ ref('mart_indicator_series') }} as m
inner join {{ ref('dim_report') }} as r on r.key = m.report_key
where not r.is_latest
