{{ config(materialized='table') }}
-- One row per issue: when it first became active, when it was completed (the final completion of
-- a reopened issue), and its cycle time, lead time and active and waiting days (spec section 3),
-- as of the as-of date (issues created later are left out, later changes ignored).
{%- set terminal_states = "('done', 'cancelled')" %}

with

issues as (

    select issue_id, created_at, resolution
    from {{ ref('stg_jira__issues') }}
    where not is_deleted and created_at < {{ as_of_end_at() }}

),

cancelling_resolutions as (

    -- Simplified workflows close everything as Done and say "Won't Do" in the resolution.
    select lower(trim(status_name)) as resolution_key
    from {{ ref('flow_state_overrides') }}
    where flow_state = 'cancelled'

),

intervals as (

    select
        issue_id,
        change_seq,
        flow_state,
        flow_state in {{ terminal_states }} as is_terminal,
        valid_from,
        least(coalesce(valid_to, {{ as_of_end_at() }}), {{ as_of_end_at() }}) as valid_until,
        valid_to is null or valid_to >= {{ as_of_end_at() }} as is_current_as_of,
        lag(flow_state) over (partition by issue_id order by change_seq) as previous_flow_state
    from {{ ref('int_issue_status_intervals') }}
    where valid_from < {{ as_of_end_at() }}

),

measured_intervals as (

    select
        issue_id,
        flow_state,
        is_terminal,
        is_current_as_of,
        valid_from,
        valid_until,
        {{ fractional_days_between('valid_from', 'valid_until') }} as days,
        not is_terminal and previous_flow_state in {{ terminal_states }} as is_reopening
    from intervals

),

per_issue as (

    select
        issue_id,
        max(case when is_current_as_of then flow_state end) as end_flow_state,
        -- creation, or the first change of an imported issue whose history predates its creation
        min(valid_from) as started_at,
        min(case when flow_state = 'active' then valid_from end) as first_active_at,
        -- the final terminal stretch starts where the last non-terminal interval ends
        coalesce(max(case when not is_terminal then valid_until end), min(valid_from))
            as final_stretch_start,
        sum(case when is_reopening then 1 else 0 end) as reopen_count,
        sum(case when flow_state = 'active' then days else 0 end) as active_days,
        sum(case when flow_state = 'waiting' then days else 0 end) as waiting_days
    from measured_intervals
    group by issue_id

),

last_activity as (

    select issue_id, max(last_activity_at) as last_activity_at
    from {{ ref('int_issue_activity_days') }}
    where last_activity_at < {{ as_of_end_at() }}
    group by issue_id

),

completions as (

    select
        issues.issue_id,
        issues.created_at,
        per_issue.started_at,
        per_issue.first_active_at,
        case
            when per_issue.end_flow_state in {{ terminal_states }}
                then per_issue.final_stretch_start
        end as completed_at,
        per_issue.end_flow_state,
        per_issue.end_flow_state = 'done' and cancelling_resolutions.resolution_key is null
            as is_done,
        per_issue.end_flow_state = 'cancelled' or (
            per_issue.end_flow_state = 'done'
            and cancelling_resolutions.resolution_key is not null
        ) as is_cancelled,
        per_issue.reopen_count,
        per_issue.active_days,
        per_issue.waiting_days,
        last_activity.last_activity_at
    from issues
    inner join per_issue on issues.issue_id = per_issue.issue_id
    left join cancelling_resolutions
        on lower(trim(issues.resolution)) = cancelling_resolutions.resolution_key
    left join last_activity on issues.issue_id = last_activity.issue_id

),

final as (

    select
        issue_id,
        created_at,
        first_active_at,
        completed_at,
        end_flow_state,
        is_done,
        is_cancelled,
        reopen_count,
        case
            when is_done then {{ fractional_days_between('first_active_at', 'completed_at') }}
        end as cycle_time_days,
        case
            when is_done then {{ fractional_days_between('started_at', 'completed_at') }}
        end as lead_time_days,
        active_days,
        waiting_days,
        last_activity_at
    from completions

)

select * from final
