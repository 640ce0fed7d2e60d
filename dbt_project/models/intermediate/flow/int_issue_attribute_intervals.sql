{{ config(
    materialized='incremental',
    unique_key='issue_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook='{{ drop_deleted_issues() }}',
) }}
-- Each issue's assignee, flag, due date, parent and sprints over time, rebuilt from the complete
-- changelog like the status intervals. Before an attribute's first change the issue held that
-- change's `from` value; an attribute never changed holds the issue's current value throughout
-- (the Flagged field is not landed on issues, so a never-changed flag reads as unset).
-- Incremental by issue (macros/incremental_by_issue); a parent given by key resolves to the id of
-- the issue holding that key now, so the children of a parent landed since are redone too.
{%- set scalar_attributes = ['assignee', 'flagged', 'due_date', 'parent'] %}

with

{%- if is_incremental() %}

landed_issues as (

    select issue_id, issue_key
    from {{ ref('stg_jira__issues') }}
    where issue_id in ({{ issues_landed_since_last_build(ref('stg_jira__issues')) }})

),

redone_issues as (

    select issue_id from landed_issues
    union
    {{ issues_landed_since_last_build(ref('int_issue_field_changes')) }}
    union
    -- children naming a landed issue's key, now or in their history
    select issue_id
    from {{ ref('stg_jira__issues') }}
    where coalesce(parent_id, parent_key, epic_link_key) in (select issue_key from landed_issues)
    union
    select issue_id
    from {{ ref('int_issue_field_changes') }}
    where attribute = 'parent'
        and (
            from_value in (select issue_key from landed_issues)
            or to_value in (select issue_key from landed_issues)
        )
    union
    -- children whose parent key resolved to a landed issue, which may hold another key now
    select issue_id
    from {{ this }}
    where attribute = 'parent' and value in (select issue_id from landed_issues)

),
{%- endif %}

issues as (

    select
        issue_id,
        created_at,
        assignee_account_id,
        due_date,
        coalesce(parent_id, parent_key, epic_link_key) as parent,
        sprint_ids,
        landed_in_batch_id
    from {{ ref('stg_jira__issues') }}
    where not is_deleted
    {%- if is_incremental() %}
        and issue_id in (select issue_id from redone_issues)
    {%- endif %}

),

attribute_changes as (

    select issue_id, attribute, change_seq, changed_at, from_value, to_value
    from {{ ref('int_issue_field_changes') }}
    where attribute in ('{{ (scalar_attributes + ['sprint']) | join("', '") }}')
    {%- if is_incremental() %}
        and issue_id in (select issue_id from redone_issues)
    {%- endif %}

),

scalar_attributes as (

    {% for attribute in scalar_attributes -%}
    select '{{ attribute }}' as attribute
    {{ 'union all' if not loop.last }}
    {% endfor %}

),

initial_scalars as (

    select
        issues.issue_id,
        scalar_attributes.attribute,
        0 as change_seq,
        case
            when first_change.issue_id is not null then first_change.from_value
            when scalar_attributes.attribute = 'assignee' then issues.assignee_account_id
            when scalar_attributes.attribute = 'due_date' then cast(issues.due_date as varchar)
            when scalar_attributes.attribute = 'parent' then issues.parent
        end as raw_value,
        least(issues.created_at, coalesce(first_change.changed_at, issues.created_at)) as valid_from
    from issues
    cross join scalar_attributes
    left join attribute_changes as first_change
        on issues.issue_id = first_change.issue_id
        and scalar_attributes.attribute = first_change.attribute
        and first_change.change_seq = 1

),

scalar_spans as (

    select issue_id, attribute, change_seq, raw_value, valid_from from initial_scalars
    union all
    select issue_id, attribute, change_seq, to_value, changed_at
    from attribute_changes
    where attribute <> 'sprint'

),

scalar_intervals as (

    select
        scalar_spans.issue_id || ':' || scalar_spans.attribute || ':' || scalar_spans.change_seq
            as attribute_interval_id,
        scalar_spans.issue_id,
        scalar_spans.attribute,
        -- parents given by key resolve to the id where the parent issue is landed
        coalesce(parents.issue_id, scalar_spans.raw_value) as value,
        scalar_spans.valid_from,
        lead(scalar_spans.valid_from) over (
            partition by scalar_spans.issue_id, scalar_spans.attribute
            order by scalar_spans.change_seq
        ) as valid_to
    from scalar_spans
    left join {{ ref('stg_jira__issues') }} as parents
        on scalar_spans.attribute = 'parent' and scalar_spans.raw_value = parents.issue_key

),

sprint_states as (

    -- The Sprint field holds a set of sprint ids; each change replaces the whole set.
    select
        issues.issue_id,
        0 as change_seq,
        case
            when first_change.issue_id is not null
                then {{ split_to_list('first_change.from_value') }}
            else {{ text_list('issues.sprint_ids') }}
        end as sprint_ids,
        least(issues.created_at, coalesce(first_change.changed_at, issues.created_at)) as valid_from
    from issues
    left join attribute_changes as first_change
        on issues.issue_id = first_change.issue_id
        and first_change.attribute = 'sprint'
        and first_change.change_seq = 1
    union all
    select issue_id, change_seq, {{ split_to_list('to_value') }}, changed_at
    from attribute_changes
    where attribute = 'sprint'

),

bounded_sprint_states as (

    select
        issue_id,
        change_seq,
        sprint_ids,
        valid_from,
        lead(valid_from) over (partition by issue_id order by change_seq) as valid_to
    from sprint_states

),

sprint_items as (

    select
        issue_id,
        change_seq,
        valid_from,
        valid_to,
        {{ unnest_list('sprint_ids') }} as sprint_item
    from bounded_sprint_states

),

sprint_memberships as (

    select distinct issue_id, change_seq, valid_from, valid_to, trim(sprint_item) as sprint_id
    from sprint_items
    where trim(sprint_item) <> ''

),

sprint_islands as (

    -- consecutive states holding the same sprint form one membership stretch
    select
        issue_id,
        sprint_id,
        valid_from,
        valid_to,
        change_seq - row_number() over (
            partition by issue_id, sprint_id order by change_seq
        ) as island
    from sprint_memberships

),

sprint_stretches as (

    select
        issue_id,
        sprint_id,
        min(valid_from) as valid_from,
        case when count(*) = count(valid_to) then max(valid_to) end as valid_to
    from sprint_islands
    group by issue_id, sprint_id, island

),

sprint_intervals as (

    select
        issue_id || ':sprint:' || sprint_id || ':' || row_number() over (
            partition by issue_id, sprint_id order by valid_from
        ) as attribute_interval_id,
        issue_id,
        'sprint' as attribute,
        sprint_id as value,
        valid_from,
        valid_to
    from sprint_stretches

),

intervals as (

    select attribute_interval_id, issue_id, attribute, value, valid_from, valid_to
    from scalar_intervals
    union all
    select attribute_interval_id, issue_id, attribute, value, valid_from, valid_to
    from sprint_intervals

),

final as (

    select
        intervals.attribute_interval_id,
        intervals.issue_id,
        intervals.attribute,
        intervals.value,
        intervals.valid_from,
        intervals.valid_to,
        intervals.valid_to is null as is_current,
        issues.landed_in_batch_id
    from intervals
    inner join issues on intervals.issue_id = issues.issue_id

)

select * from final
