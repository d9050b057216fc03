{#-
  The build slice: which documents (and agency-years) this dbt invocation must rebuild and test.

  The slice is a set of models in schema build_state (models/build/, visible in lineage and docs):
    build_slice               (table build_state.slice) document_id of every report whose parse
                              changed since the watermark, i.e. the last `dbt build` that finished
                              without an error or a failing test (on a full slice: every document);
    build_slice_agency_years  (slice_agency_years) the agency-years those documents belong to now or
                              were shown under before: the grain of the agency-year marts;
    build_slice_agencies      (slice_agencies) their agencies (all when the span of years changed);
    build_slice_info          (slice_info) one row: is_all, documents, opened_at.
  Each incremental model declares `-- depends_on: {{ ref('build_slice') }}` (so dbt orders it after
  the slice and draws the edge) and filters with in_build_slice() / in_build_slice_agency_years() /
  in_build_slice_agencies(); tests of the big tables carry `where: "__build_slice__"` (or
  `__build_slice_agency_years__`), which the get_where_subquery override below expands. On a full
  slice every filter is `true`.

  on-run-start (open_build_slice) creates the watermark table when missing (source
  build_state.watermark) and records, before any node runs, every invocation that can write the
  warehouse (build, run, seed, snapshot) in build_state.invocations (one with --full-refresh also
  drops build_state.project, gongkai's fingerprint of the last clean full build); on-run-end (close_build_slice)
  appends the watermark after a clean `dbt build` that built the slice and every incremental model.
  A failed build does not move it, so the next build redoes (and retests) the same slice; redoing a
  slice is idempotent (each incremental model deletes the slice, then inserts it). The gate blocks
  while the last recorded invocation started after the last watermark: one killed or failed before
  its slice opened (after seeds or views were replaced) included.
-#}

{% macro open_build_slice() %}
    create schema if not exists build_state;
    create table if not exists build_state.watermark (
        built_through timestamp, built_at timestamp, documents bigint, invocation_id varchar
    );
    create table if not exists build_state.invocations (
        invocation_id varchar, command varchar, full_refresh boolean, started_at timestamp
    );
    {%- if flags.WHICH in ('build', 'run', 'seed', 'snapshot') %}
    insert into build_state.invocations
    values ('{{ invocation_id }}', '{{ flags.WHICH }}', {{ 'true' if flags.FULL_REFRESH else 'false' }}, now());
    {%- if flags.FULL_REFRESH %}
    {#- it drops and re-creates tables (seeds too): until it finishes cleanly, gongkai's next build
        must not be data-only (gongkai.build records the project's fingerprint after a clean one) #}
    drop table if exists build_state.project;
    {%- endif %}
    {%- endif %}
{% endmacro %}

{% macro build_slice_table(name='slice') -%}
    {#- The relation of a slice model, for macros that tests use too (tests do not ref the slice). -#}
    {{ return(api.Relation.create(database=target.database, schema='build_state', identifier=name)) }}
{%- endmacro %}

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
    {%- set slice_built = results | selectattr('node.name', 'equalto', 'build_slice') | selectattr('status', 'equalto', 'success') | list -%}
    {%- if execute and flags.WHICH == 'build' and not broken and slice_built and built | length == incremental | length %}
    insert into build_state.watermark
    select max(parsed_at), now(), count(*), '{{ invocation_id }}' from {{ build_slice_table() }};
    {%- else %}
    select 1;  -- watermark unchanged: {{ broken | length }} broken node(s), {{ built | length }}/{{ incremental | length }} incremental models built
    {%- endif %}
{% endmacro %}

{% macro build_slice_is_all() %}
    {#- True when this invocation's slice is every document: a full refresh, a command other than
        build/run, or a selection without the slice model (its table would be stale). (A first build
        without --full-refresh has every document in its slice as well; the filters are then merely
        redundant.) Decided from flags and the selection, so that no test pays for a query. -#}
    {%- set slice_selected = 'model.gongkai.build_slice' in (selected_resources or []) -%}
    {{ return(flags.FULL_REFRESH or flags.WHICH not in ('build', 'run') or (execute and not slice_selected)) }}
{% endmacro %}

{% macro in_build_slice(column='document_id') -%}
    {%- if build_slice_is_all() -%}true
    {%- else -%}{{ column }} in (select document_id from {{ build_slice_table() }})
    {%- endif -%}
{%- endmacro %}

{% macro in_build_slice_agency_years(agency_code, report_year) -%}
    {#- agency_code, report_year: qualified column names (an unqualified name would bind to the slice) -#}
    {%- if build_slice_is_all() -%}true
    {%- else -%}exists (
        select 1 from {{ build_slice_table('slice_agency_years') }} as s
        where s.agency_code = {{ agency_code }} and s.report_year = {{ report_year }})
    {%- endif -%}
{%- endmacro %}

{% macro in_build_slice_agencies(agency_code) -%}
    {%- if build_slice_is_all() -%}true
    {%- else -%}{{ agency_code }} in (select agency_code from {{ build_slice_table('slice_agencies') }})
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
