-- Report years from the first year of the 2008 regulation (or the earliest observed) to the latest
-- observed or var last_calendar_year, with the disclosure regime in force for their publication.
with bounds as (
    select
        least(min(report_year), {{ var('first_report_year') }}) as first_year,
        greatest(max(report_year), {{ var('last_calendar_year') }}) as last_year
    from {{ ref('int_report_versions') }}
),

years as (
    select cast(y.year as integer) as year
    from bounds, range(bounds.first_year, bounds.last_year + 1) as y(year)
),

regimes as (
    select distinct regime, first_report_year, last_report_year
    from {{ ref('publication_deadlines') }}
)

select
    {{ surrogate_key(['y.year']) }} as key,
    y.year,
    r.regime
from years as y
left join regimes as r on y.year between r.first_report_year and r.last_report_year
order by y.year
