-- Every accounting identity of every parsed report version:
--  * origin 'parser': the parser's own checks (staging parse_checks), holds NULL = not evaluable;
--  * origin 'warehouse': identities recomputed here from the fact table (table values only):
--      balance (G2/G3, per applicant): requests_received + requests_carried_in = results_total + carried_over
--      applicant_total:<indicator> (every indicator broken down by applicant): total = sum of the applicant columns
-- Incremental by document (the build slice): the checks of every version of a changed document.
-- depends_on: {{ ref('build_slice') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ delete_build_slice() }}"
) }}

with reports as (
    select * from {{ ref('dim_report') }}
    {%- if is_incremental() %}
    where {{ in_build_slice('document_id') }}
    {%- endif %}
),

parser_checks as (
    select
        c.document_id,
        c.version,
        c.check_name as identity,
        'parser' as origin,
        cast(null as varchar) as applicant,
        c.check_no,
        cast(null as double) as lhs,
        cast(null as double) as rhs,
        c.holds,
        c.detail
    from {{ ref('stg_parse_checks') }} as c
    inner join reports as r on r.document_id = c.document_id and r.version = c.version
),

table_values as (
    select document_id, version, generation, indicator, applicant, value
    from {{ ref('fct_indicator_value') }}
    where source = 'table' and generation in ('G2', 'G3')  -- only these break down by applicant
    {%- if is_incremental() %}
        and {{ in_build_slice('document_id') }}
    {%- endif %}
),

balance_terms as (
    select
        document_id,
        version,
        applicant,
        max(value) filter (where indicator = 'requests_received') as received,
        max(value) filter (where indicator = 'requests_carried_in') as carried_in,
        max(value) filter (where indicator = 'results_total') as results_total,
        max(value) filter (where indicator = 'carried_over') as carried_over
    from table_values
    where indicator in ('requests_received', 'requests_carried_in', 'results_total', 'carried_over')
    group by document_id, version, applicant
),

balance as (
    select
        document_id,
        version,
        'balance' as identity,
        applicant,
        received + carried_in as lhs,
        results_total + carried_over as rhs,
        'requests_received + requests_carried_in = results_total + carried_over' as detail
    from balance_terms
),

applicant_totals as (
    select
        document_id,
        version,
        'applicant_total:' || indicator as identity,
        'total' as applicant,
        max(value) filter (where applicant = 'total') as lhs,
        case when count(*) filter (where applicant <> 'total' and value is null) = 0
            then sum(value) filter (where applicant <> 'total')
        end as rhs,
        'total = sum of ' || cast(count(*) filter (where applicant <> 'total') as varchar)
            || ' applicant columns of ' || indicator as detail
    from table_values
    group by document_id, version, indicator
    having count(*) filter (where applicant <> 'total') > 0
        and count(*) filter (where applicant = 'total') > 0
),

warehouse_checks as (
    select
        document_id, version, identity, 'warehouse' as origin, applicant,
        cast(null as integer) as check_no,
        lhs, rhs,
        case when lhs is not null and rhs is not null then abs(lhs - rhs) < 1e-6 end as holds,
        detail
    from (select * from balance union all select * from applicant_totals)
),

checks as (
    select
        *,
        regexp_extract(identity, '^[^\[:]+') as identity_family,
        nullif(coalesce(
            nullif(regexp_extract(identity, '\[(.+)\]', 1), ''), regexp_extract(identity, ':(.+)$', 1)
        ), '') as identity_subject
    from (select * from parser_checks union all select * from warehouse_checks)
),

-- readable labels: the identity family in Chinese, then the indicator or applicant type it is about
family_labels (identity_family, family_label) as (
    values
        ('balance', '收支平衡：收到申请+上年结转=办理结果+结转下年'),
        ('applicant_total', '申请人合计：总计=各类申请人之和'),
        ('prose_vs_table', '正文与表格一致'),
        ('t3_balance', '表三收支平衡'),
        ('t3_results_total', '表三办理结果合计'),
        ('t3_total_column', '表三总计列=各类申请人之和'),
        ('t4_reviews', '表四行政复议结果合计'),
        ('t4_litigation_direct', '表四未经复议直接起诉结果合计'),
        ('t4_litigation_after_review', '表四复议后起诉结果合计'),
        ('g1_requests_by_channel', '申请方式合计'),
        ('g1_requests_closed', '按时/延期办结合计'),
        ('g1_replies_by_category', '答复类别合计'),
        ('g1_denied_by_reason', '不予公开理由合计'),
        ('g1_reviews_by_outcome', '行政复议结果合计'),
        ('g1_litigation_by_outcome', '行政诉讼结果合计'),
        ('g1_staff', '工作人员合计')
),

labelled as (
    select
        c.*,
        coalesce(f.family_label, c.identity_family)
            || coalesce('（' || coalesce(i.name_zh, t.name_zh, c.identity_subject) || '）', '') as identity_label
    from checks as c
    left join family_labels as f on f.identity_family = c.identity_family
    left join {{ ref('dim_indicator') }} as i on i.indicator = c.identity_subject
    left join {{ ref('dim_applicant_type') }} as t on t.applicant = c.identity_subject
)

select
    {{ surrogate_key(['c.document_id', 'c.version', 'c.origin', 'c.identity', 'c.applicant', 'c.check_no']) }} as key,
    r.key as report_key,
    r.agency_key,
    r.agency_code,
    a.name_zh as agency_name,
    c.document_id,
    c.version,
    r.report_year,
    make_date(r.report_year, 1, 1) as report_year_date,
    r.generation,
    c.identity,
    c.identity_family,
    c.identity_label,
    case when c.identity_family = 'prose_vs_table' then 'prose_vs_table' else 'arithmetic' end as check_kind,
    c.origin,
    c.applicant,
    c.lhs,
    c.rhs,
    c.lhs - c.rhs as difference,
    c.holds,
    case when c.holds is null then 'not_evaluable' when c.holds then 'holds' else 'fails' end as status,
    c.detail,
    r.is_latest,
    r.is_synthetic
from labelled as c
inner join reports as r on r.document_id = c.document_id and r.version = c.version
left join {{ ref('dim_agency') }} as a on a.key = r.agency_key
