{#- One row per build: whether the slice is every document, its size, and when it was opened (the
    gate compares this with the last watermark: a slice opened after it is a build that did not
    finish cleanly). -#}
{{ config(alias='slice_info') }}

select
    {{ 'true' if build_slice_is_all() else 'false' }} as is_all,
    (select count(*) from {{ ref('build_slice') }}) as documents,
    now() as opened_at
