{#-
  The build slice: which documents (and agency-years) this dbt invocation must rebuild and test.

  on-run-start (open_build_slice) writes, in schema build_state of the warehouse:
    slice              document_id of every report whose parse changed since the watermark, i.e. the
                       last `dbt build` that finished without an error or a failing test
                       (`dbt build --full-refresh`, `dbt test` and any other command: every document);
    slice_agency_years the agency-years those documents belong to now (staging) or were shown under
                       before (the previous mart_agency_year): the grain of the agency-year marts;
    slice_agencies     their agencies (every agency when the span of report years changed): the rows
                       of mart_publication_timeliness to rebuild;
    slice_info         one row: is_all (every document, by command: see build_slice_is_all),
                       documents, opened_at.
  on-run-end (close_build_slice) appends the watermark after a clean `dbt build` that built every
  incremental model. A failed build does not move it, so the next build redoes (and retests) the
  same slice; redoing a slice is idempotent (each incremental model deletes the slice, then inserts it).

  Incremental models filter with in_build_slice() / in_build_slice_agency_years(); tests of the big
  tables carry `where: "__build_slice__"` (or `__build_slice_agency_years__`), which the
  get_where_subquery override below expands. On a full slice both expand to `true`.
-#}

{% macro open_build_slice() %}
    {%- set full = build_slice_is_all() -%}
    {%- set previous_marts = adapter.get_relation(database=target.database, schema='main', identifier='mart_agency_year') -%}
    {%- set registry = adapter.get_relation(database=target.database, schema='seeds', identifier='agencies') -%}
    {%- set previous_timeliness = adapter.get_relation(database=target.database, schema='main', identifier='mart_publication_timeliness') -%}
    create schema if not exists build_state;
    create table if not exists build_state.watermark (
        built_through timestamp, built_at timestamp, documents bigint, invocation_id varchar
    );
    create or replace table build_state.slice as
    select document_id, max(parsed_at) as parsed_at
    from {{ source('staging', 'parse_results') }}
    {%- if not full %}
    where parsed_at > (select coalesce(max(built_through), timestamp '1900-01-01') from build_state.watermark)
    {%- endif %}
    group by document_id;
    create or replace table build_state.slice_info as
    select
        {{ 'true' if full else 'false' }} as is_all,
        (select count(*) from build_state.slice) as documents,
        now() as opened_at;
    -- agency and year as int_report_versions states them (agency: the registry code, else 'unknown')
    create or replace table build_state.slice_agency_years as
    select distinct coalesce(d.agency_code, 'unknown') as agency_code, p.report_year
    from {{ source('staging', 'parse_results') }} as p
    left join {{ source('staging', 'documents') }} as d
        on d.document_id = p.document_id and d.version = p.version
    where p.report_year is not null
        and p.document_id in (select document_id from build_state.slice)
    {%- if previous_marts is not none %}
    union
    select agency_code, report_year from {{ previous_marts }}
    where document_id in (select document_id from build_state.slice)
    {%- endif %};
    {%- if previous_marts is not none and registry is not none %}
    -- an agency missing from the registry is named after its documents (dim_agency): a new document
    -- can rename it, so all its agency-years are rebuilt
    insert into build_state.slice_agency_years
    select agency_code, report_year from {{ previous_marts }}
    where agency_code in (select agency_code from build_state.slice_agency_years)
        and agency_code not in (select agency_code from {{ registry }})
    except
    select agency_code, report_year from build_state.slice_agency_years;
    {%- endif %}
    -- agencies whose timeliness rows change: those of the slice, or all of them when the span of report
    -- years (the columns of the timeliness grid) is no longer the one the previous build saw
    create or replace table build_state.slice_agencies as
    select distinct agency_code from build_state.slice_agency_years
    {%- if previous_timeliness is not none %}
    union
    select distinct agency_code from {{ previous_timeliness }}
    where (select (min(report_year), max(report_year)) from {{ previous_timeliness }})
        is distinct from (
            select (min(report_year), max(report_year)) from {{ source('staging', 'parse_results') }}
            where status <> 'quarantined'
        )
    {%- endif %};
{% endmacro %}

{% macro close_build_slice(results) %}
    {%- set incremental = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.config.materialized == 'incremental' -%}
            {%- do incremental.append(node.name) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set built = [] -%}
    {%- set broken = [] -%}
    {%- for r in results -%}
        {%- if r.status in ('error', 'fail', 'runtime error') -%}{%- do broken.append(r.node.unique_id) -%}{%- endif -%}
        {%- if r.node.resource_type == 'model' and r.node.name in incremental and r.status == 'success' -%}
            {%- do built.append(r.node.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if execute and flags.WHICH == 'build' and not broken and built | length == incremental | length %}
    insert into build_state.watermark
    select max(parsed_at), now(), count(*), '{{ invocation_id }}' from build_state.slice;
    {%- else %}
    select 1;  -- watermark unchanged: {{ broken | length }} broken node(s), {{ built | length }}/{{ incremental | length }} incremental models built
    {%- endif %}
{% endmacro %}

{% macro build_slice_is_all() %}
    {#- True when this invocation's slice is every document: a full refresh, or a command other than
        build/run. (A first build without --full-refresh has every document in its slice as well; the
        filters are then merely redundant.) Decided from flags, so that no test pays for a query. -#}
    {{ return(flags.FULL_REFRESH or flags.WHICH not in ('build', 'run')) }}
{% endmacro %}

{% macro in_build_slice(column='document_id') -%}
    {%- if build_slice_is_all() -%}true
    {%- else -%}{{ column }} in (select document_id from build_state.slice)
    {%- endif -%}
{%- endmacro %}

{% macro in_build_slice_agency_years(agency_code, report_year) -%}
    {#- agency_code, report_year: qualified column names (an unqualified name would bind to the slice) -#}
    {%- if build_slice_is_all() -%}true
    {%- else -%}exists (
        select 1 from build_state.slice_agency_years as s
        where s.agency_code = {{ agency_code }} and s.report_year = {{ report_year }})
    {%- endif -%}
{%- endmacro %}

{% macro in_build_slice_agencies(agency_code) -%}
    {%- if build_slice_is_all() -%}true
    {%- else -%}{{ agency_code }} in (select agency_code from build_state.slice_agencies)
    {%- endif -%}
{%- endmacro %}

{% macro delete_build_slice(by='document') %}
    {#- pre-hook of an incremental model: remove the rows the slice rebuilds. -#}
    {%- if is_incremental() -%}
        {%- if by == 'agency' -%}
    delete from {{ this }} as t where {{ in_build_slice_agencies('t.agency_code') }}
        {%- elif by == 'agency_year' -%}
    delete from {{ this }} as t where {{ in_build_slice_agency_years('t.agency_code', 't.report_year') }}
        {%- else -%}
    delete from {{ this }} as t where {{ in_build_slice('t.document_id') }}
        {%- endif -%}
    {%- else -%}
    select 1
    {%- endif -%}
{% endmacro %}

{% macro get_where_subquery(relation) -%}
    {#- dbt's test `where` config, plus the placeholders __build_slice__ and __build_slice_agency_years__. -#}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- set where = where
            | replace('__build_slice_agency_years__', in_build_slice_agency_years('sliced.agency_code', 'sliced.report_year'))
            | replace('__build_slice__', in_build_slice('sliced.document_id')) -%}
        {%- if where | trim == 'true' -%}
            {{ return(relation) }}
        {%- endif -%}
        {%- set filtered -%}
            (select * from {{ relation }} as sliced where {{ where }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}
