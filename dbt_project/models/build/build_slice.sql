{#- The build slice: the documents this `dbt build` rebuilds and tests — every document whose parse
    changed since the watermark (the last build that finished without an error or a failing test),
    or every document on a full slice (build_slice_is_all). Incremental models depend on it
    (`-- depends_on: ref('build_slice')`) and filter with in_build_slice(). -#}
{{ config(alias='slice') }}

select document_id, max(parsed_at) as parsed_at
from {{ source('staging', 'parse_results') }}
{%- if not build_slice_is_all() %}
where parsed_at > (
    select coalesce(max(built_through), timestamp '1900-01-01') from {{ source('build_state', 'watermark') }}
)
{%- endif %}
group by document_id
