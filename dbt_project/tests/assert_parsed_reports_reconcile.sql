-- Row-count reconciliation: every parsed report version in staging is in dim_report or in the parse
-- quarantine, never in both, and nothing is in dim_report that staging does not have.
with staged as (
    select document_id, version, parse_status from {{ ref('stg_parse_results') }}
),

in_marts as (
    select document_id, version from {{ ref('dim_report') }}
),

quarantined as (
    select document_id, version from {{ ref('int_reports_quarantined') }}
)

select s.document_id, s.version, 'vanished: in staging, in neither dim_report nor quarantine' as problem
from staged as s
where not exists (select 1 from in_marts as m where m.document_id = s.document_id and m.version = s.version)
    and not exists (select 1 from quarantined as q where q.document_id = s.document_id and q.version = s.version)
union all
select m.document_id, m.version, 'both in dim_report and in quarantine'
from in_marts as m
inner join quarantined as q on q.document_id = m.document_id and q.version = m.version
union all
select m.document_id, m.version, 'in dim_report but not in staging'
from in_marts as m
where not exists (select 1 from staged as s where s.document_id = m.document_id and s.version = m.version)
