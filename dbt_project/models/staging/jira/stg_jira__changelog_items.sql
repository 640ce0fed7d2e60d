{{ config(
    materialized='incremental',
    unique_key='issue_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
) }}
-- Every batch that saw an issue carries its whole history: keep one copy of each item.
-- Incremental by issue (macros/incremental_by_issue): an issue landed again has its items from
-- every batch redone.
with

landed_items as (

    select *
    from {{ source('jira', 'changelog_items') }}
    {%- if is_incremental() %}
    where issue_id in (
        {{ issues_landed_since_last_build(source('jira', 'changelog_items'), 'batch_id') }}
    )
    {%- endif %}

),

newest as (

    {{ newest_version(
        'landed_items',
        key='issue_id, history_id, item_index',
        columns=[
            "issue_id || ':' || history_id || ':' || item_index as changelog_item_id",
            'issue_id', 'history_id', 'item_index', 'changed_at', 'author_account_id', 'field',
            'field_id', 'field_type', 'from_value', 'from_string', 'to_value', 'to_string',
            'batch_id as landed_in_batch_id',
        ],
    ) | indent(4) }}

),

final as (

    select * from newest

)

select * from final
