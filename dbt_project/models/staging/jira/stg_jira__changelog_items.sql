{%- set columns = [
    'issue_id', 'history_id', 'item_index', 'changed_at', 'author_account_id', 'field',
    'field_id', 'field_type', 'from_value', 'from_string', 'to_value', 'to_string',
] %}

with

items as (

    select
        {{ columns | join(',\n        ') }},
        row_number() over (
            partition by issue_id, history_id, item_index order by batch_id desc
        ) as copy_rank
    from {{ source('jira', 'changelog_items') }}

),

final as (

    select
        issue_id || ':' || history_id || ':' || item_index as changelog_item_id,
        {{ columns | join(',\n        ') }}
    from items
    -- every batch that saw an issue carries its whole history: keep one copy of each item
    where copy_rank = 1

)

select * from final
