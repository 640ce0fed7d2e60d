{{ config(
    materialized='incremental',
    unique_key='issue_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook='{{ drop_deleted_issues() }}',
) }}
-- The changelog items that move a tracked attribute (status, assignee, flagged, due date, parent,
-- sprint) of an issue not deleted, numbered per issue and attribute, with raw values made
-- comparable with the issues' own columns. Read once here, so that the interval models do not
-- each deduplicate the whole changelog again. Incremental by issue (macros/incremental_by_issue).
with

issues as (

    select issue_id
    from {{ ref('stg_jira__issues') }}
    where not is_deleted

),

items as (

    select
        items.changelog_item_id,
        items.issue_id,
        items.history_id,
        items.item_index,
        items.changed_at,
        items.author_account_id,
        {{ changelog_attribute('items.field_id', 'items.field') }} as attribute,
        items.from_value,
        items.from_string,
        items.to_value,
        items.to_string,
        items.landed_in_batch_id
    from {{ ref('stg_jira__changelog_items') }} as items
    inner join issues on items.issue_id = issues.issue_id
    {%- if is_incremental() %}
    where items.issue_id in (
        {{ issues_landed_since_last_build(ref('stg_jira__changelog_items')) }}
    )
    {%- endif %}

),

final as (

    -- Values: status ids, account ids, the flag's option name (Impediment), 'YYYY-MM-DD' (the
    -- display form appends a time), a parent's id (its key where only that is given),
    -- comma-separated sprint ids.
    {%- set sides = {'from': ('from_value', 'from_string'), 'to': ('to_value', 'to_string')} %}
    select
        changelog_item_id,
        issue_id,
        attribute,
        row_number() over (
            partition by issue_id, attribute order by changed_at, history_id, item_index
        ) as change_seq,
        changed_at,
        author_account_id,
        {%- for side, (value, display) in sides.items() %}
        nullif(trim(case attribute
            when 'flagged' then coalesce({{ display }}, {{ value }})
            when 'due_date' then substring(coalesce({{ value }}, {{ display }}), 1, 10)
            when 'parent' then coalesce({{ value }}, {{ display }})
            else {{ value }}
        end), '') as {{ side }}_value,
        {{ display }},
        {%- endfor %}
        landed_in_batch_id
    from items
    where attribute is not null

)

select * from final
