{{ config(
    materialized='incremental',
    unique_key='issue_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook='{{ drop_deleted_issues() }}',
) }}
-- Each issue's life as contiguous status intervals with their flow state, rebuilt from the complete
-- changelog, so that any past moment can be looked at as it was then. Deleted issues are left out.
-- Incremental by issue (macros/incremental_by_issue); an issue whose statuses map differently now
-- (a renamed status, an edited flow_state_overrides seed) is redone too.
with

{%- if is_incremental() %}

remapped_issues as (

    select held.issue_id
    from {{ this }} as held
    left join {{ ref('int_statuses_mapped_to_flow_states') }} as statuses
        on held.status_id = statuses.status_id
    where held.status_name is distinct from statuses.status_name
        or held.status_category is distinct from statuses.status_category
        or held.flow_state is distinct from statuses.flow_state
        or held.is_blocked_status is distinct from statuses.is_blocked_status

),

redone_issues as (

    {{ issues_landed_since_last_build(ref('stg_jira__issues')) }}
    union
    {{ issues_landed_since_last_build(ref('int_issue_field_changes')) }}
    union
    select issue_id from remapped_issues

),
{%- endif %}

issues as (

    select issue_id, created_at, status_id, landed_in_batch_id
    from {{ ref('stg_jira__issues') }}
    where not is_deleted
    {%- if is_incremental() %}
        and issue_id in (select issue_id from redone_issues)
    {%- endif %}

),

status_changes as (

    select
        issue_id,
        change_seq,
        changed_at,
        from_value as from_status_id,
        to_value as to_status_id
    from {{ ref('int_issue_field_changes') }}
    where attribute = 'status'
    {%- if is_incremental() %}
        and issue_id in (select issue_id from redone_issues)
    {%- endif %}

),

initial_status as (

    -- Before the first change an issue sat in that change's `from` status; never changed: current.
    -- Imported issues may carry history from before their creation date: start at the earlier.
    select
        issues.issue_id,
        0 as change_seq,
        coalesce(first_change.from_status_id, issues.status_id) as status_id,
        least(issues.created_at, coalesce(first_change.changed_at, issues.created_at)) as valid_from
    from issues
    left join status_changes as first_change
        on issues.issue_id = first_change.issue_id and first_change.change_seq = 1

),

spans as (

    select issue_id, change_seq, status_id, valid_from from initial_status
    union all
    select issue_id, change_seq, to_status_id, changed_at from status_changes

),

bounded as (

    select
        issue_id,
        change_seq,
        status_id,
        valid_from,
        lead(valid_from) over (partition by issue_id order by change_seq) as valid_to
    from spans

),

final as (

    select
        bounded.issue_id || ':' || bounded.change_seq as status_interval_id,
        bounded.issue_id,
        bounded.change_seq,
        bounded.status_id,
        statuses.status_name,
        statuses.status_category,
        statuses.flow_state,
        statuses.is_blocked_status,
        bounded.valid_from,
        bounded.valid_to,
        bounded.valid_to is null as is_current,
        issues.landed_in_batch_id
    from bounded
    inner join issues on bounded.issue_id = issues.issue_id
    left join {{ ref('int_statuses_mapped_to_flow_states') }} as statuses
        on bounded.status_id = statuses.status_id

)

select * from final
