-- days_late and days_early are never negative, at most one of them is positive, and together they
-- restate days_after_deadline (the signed column).
select agency_code, report_year, days_late, days_early, days_after_deadline
from {{ ref('mart_publication_timeliness') }}
where days_late < 0
    or days_early < 0
    or (days_late > 0 and days_early > 0)
    or days_late - days_early <> days_after_deadline
