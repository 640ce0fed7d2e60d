{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='project_day_id',
        post_hook="delete from {{ this }} where project_id not in (select project_id from {{ ref('stg_classification__projects') }})",
    )
}}
-- Each project as it stood at the end of each day (spec section 6), from the intervals, never
-- from today's state: its children then and their flow states, its due date then, its staleness
-- then. An incremental run rebuilds each project from the last day it already holds (that day may
-- have been built before it ended) and builds projects it does not hold yet in full, so it matches
-- a full refresh unless history itself is rewritten (an issue deleted, a change landing late,
-- a resolution renamed): run with --full-refresh then.
with

calendar as (

    select
        date_day,
        case when date_day = {{ as_of_day() }}
            then {{ as_of_end_at() }}
            else {{ utc_midnight(dbt.dateadd('day', 1, 'date_day')) }}
        end as day_end
    from {{ ref('int_calendar_days') }}

),

projects as (

    select project_id, project_issue_id, created_at, first_start_at, children_at_first_start,
        baseline_due_date, baseline_due_set_at
    from {{ ref('int_project_baselines') }}

),

{% if is_incremental() -%}
built as (

    select project_id, max(snapshot_date) as built_through
    from {{ this }}
    group by project_id

),

{% endif -%}
project_days as (

    select
        projects.project_id,
        projects.project_issue_id,
        projects.first_start_at,
        projects.children_at_first_start,
        projects.baseline_due_date,
        projects.baseline_due_set_at,
        calendar.date_day,
        calendar.day_end
    from projects
    inner join calendar on calendar.date_day >= {{ utc_day('projects.created_at') }}
    {%- if is_incremental() %}
    left join built on projects.project_id = built.project_id
    where built.built_through is null or calendar.date_day >= built.built_through
    {%- endif %}

),

status_intervals as (

    select issue_id, status_name, flow_state, is_blocked_status, valid_from, valid_to
    from {{ ref('int_issue_status_intervals') }}

),

flag_intervals as (

    select issue_id, valid_from, valid_to
    from {{ ref('int_issue_attribute_intervals') }}
    where attribute = 'flagged' and value is not null

),

issues as (

    -- Estimates are read as they stand now (their history is not rebuilt); a done issue whose
    -- resolution says it was abandoned (Won't Do) counts as cancelled.
    select
        issues.issue_id,
        coalesce(issues.story_points, 0) as story_points,
        coalesce(flow_times.is_cancelled and flow_times.end_flow_state = 'done', false)
            as is_cancelled_by_resolution
    from {{ ref('stg_jira__issues') }} as issues
    left join {{ ref('int_issue_flow_times') }} as flow_times
        on issues.issue_id = flow_times.issue_id

),

project_day_issues as (

    -- each day, the project's own issue and the issues that were its children then
    select project_id, date_day, day_end, project_issue_id as issue_id, true as is_project_issue
    from project_days
    union all
    select
        project_days.project_id,
        project_days.date_day,
        project_days.day_end,
        memberships.issue_id,
        false as is_project_issue
    from project_days
    inner join {{ ref('int_project_memberships') }} as memberships
        on project_days.project_id = memberships.project_id
        and {{ holds_just_before('memberships', 'project_days.day_end') }}

),

issue_days as (

    -- each of those issues as it stood at the end of the day
    select
        project_day_issues.project_id,
        project_day_issues.date_day,
        project_day_issues.day_end,
        project_day_issues.issue_id,
        project_day_issues.is_project_issue,
        status_intervals.status_name,
        case
            when status_intervals.flow_state = 'done' and issues.is_cancelled_by_resolution
                then 'cancelled'
            else status_intervals.flow_state
        end as flow_state,
        coalesce(status_intervals.is_blocked_status, false) as is_blocked_status,
        flag_intervals.issue_id is not null as is_flagged,
        issues.story_points
    from project_day_issues
    inner join issues on project_day_issues.issue_id = issues.issue_id
    left join status_intervals
        on project_day_issues.issue_id = status_intervals.issue_id
        and {{ holds_just_before('status_intervals', 'project_day_issues.day_end') }}
    left join flag_intervals
        on project_day_issues.issue_id = flag_intervals.issue_id
        and {{ holds_just_before('flag_intervals', 'project_day_issues.day_end') }}

),

children as (

    select
        project_id,
        date_day,
        count(*) as children_total,
        count(case when flow_state = 'done' then 1 end) as children_done,
        count(case when flow_state = 'cancelled' then 1 end) as children_cancelled,
        sum(story_points) as story_points_total,
        sum(case when flow_state = 'done' then story_points else 0 end) as story_points_done,
        sum(case when flow_state = 'cancelled' then story_points else 0 end) as story_points_cancelled,
        count(case when flow_state not in ('done', 'cancelled') and is_flagged then 1 end)
            as flagged_open_children,
        count(case when flow_state not in ('done', 'cancelled') and is_blocked_status then 1 end)
            as blocked_open_children
    from issue_days
    where not is_project_issue
    group by project_id, date_day

),

project_issue_days as (

    select
        issue_days.project_id,
        issue_days.date_day,
        issue_days.status_name as project_status_name,
        issue_days.flow_state as project_flow_state,
        issue_days.is_blocked_status as is_project_blocked_status,
        issue_days.is_flagged as is_project_flagged,
        cast(due_intervals.value as date) as due_date
    from issue_days
    left join {{ ref('int_issue_attribute_intervals') }} as due_intervals
        on issue_days.issue_id = due_intervals.issue_id
        and due_intervals.attribute = 'due_date'
        and {{ holds_just_before('due_intervals', 'issue_days.day_end') }}
    where issue_days.is_project_issue

),

project_activity as (

    -- activity (creation, changelog, worklogs) on the project's issue, and on each child while
    -- it was a child
    select
        memberships.project_id,
        activity.activity_date,
        max(activity.last_activity_at) as last_activity_at
    from {{ ref('int_issue_activity_days') }} as activity
    inner join {{ ref('int_project_memberships') }} as memberships
        on activity.issue_id = memberships.issue_id
        and activity.last_activity_at >= memberships.valid_from
        and (memberships.valid_to is null or activity.last_activity_at < memberships.valid_to)
    group by memberships.project_id, activity.activity_date

    union all

    select projects.project_id, activity.activity_date, activity.last_activity_at
    from {{ ref('int_issue_activity_days') }} as activity
    inner join projects on activity.issue_id = projects.project_issue_id

),

activity_and_days as (

    -- every activity day, built or not, feeds the running maximum of the days being built
    select project_id, activity_date as date_day, last_activity_at, false as is_built_day
    from project_activity
    union all
    select project_id, date_day, null, true
    from project_days

),

last_changes as (

    select
        project_id,
        date_day,
        is_built_day,
        max(last_activity_at) over (
            partition by project_id
            order by date_day, is_built_day
            rows between unbounded preceding and current row
        ) as last_change_at
    from activity_and_days

),

final as (

    select
        project_days.project_id || ':' || cast(project_days.date_day as varchar) as project_day_id,
        project_days.project_id,
        project_days.date_day as snapshot_date,
        coalesce(children.children_total, 0) as children_total,
        coalesce(children.children_done, 0) as children_done,
        coalesce(children.children_cancelled, 0) as children_cancelled,
        coalesce(children.children_total - children.children_done - children.children_cancelled, 0)
            as children_open,
        case when children.children_total > children.children_cancelled
            then 1.0 * children.children_done / (children.children_total - children.children_cancelled)
        end as pct_complete_by_count,
        coalesce(children.story_points_total, 0) as story_points_total,
        coalesce(children.story_points_done, 0) as story_points_done,
        case when children.story_points_total > children.story_points_cancelled
            then 1.0 * children.story_points_done
                / (children.story_points_total - children.story_points_cancelled)
        end as pct_complete_by_story_points,
        case when project_days.first_start_at < project_days.day_end
            then project_days.children_at_first_start end as children_at_first_start,
        case when project_days.first_start_at < project_days.day_end then {{ scope_growth(
            'coalesce(children.children_total, 0)', 'project_days.children_at_first_start'
        ) }} end as scope_growth,
        project_issue_days.project_status_name,
        project_issue_days.project_flow_state,
        coalesce(project_issue_days.project_flow_state in ('done', 'cancelled'), false)
            as is_project_closed,
        project_issue_days.due_date,
        case when project_days.baseline_due_set_at < project_days.day_end
            then project_days.baseline_due_date end as baseline_due_date,
        case when project_days.baseline_due_set_at < project_days.day_end
            then {{ dbt.datediff('project_days.baseline_due_date', 'project_issue_days.due_date', 'day') }}
        end as slip_days,
        coalesce(
            project_days.date_day > project_issue_days.due_date
            and project_issue_days.project_flow_state not in ('done', 'cancelled'),
            false
        ) as is_overdue,
        last_changes.last_change_at,
        {{ dbt.datediff(utc_day('last_changes.last_change_at'), 'project_days.date_day', 'day') }}
            as staleness_days,
        coalesce(project_issue_days.is_project_flagged, false) as is_project_flagged,
        coalesce(project_issue_days.is_project_blocked_status, false) as is_project_blocked_status,
        coalesce(children.flagged_open_children, 0) as flagged_open_children,
        coalesce(children.blocked_open_children, 0) as blocked_open_children
    from project_days
    left join children
        on project_days.project_id = children.project_id
        and project_days.date_day = children.date_day
    left join project_issue_days
        on project_days.project_id = project_issue_days.project_id
        and project_days.date_day = project_issue_days.date_day
    left join last_changes
        on project_days.project_id = last_changes.project_id
        and project_days.date_day = last_changes.date_day
        and last_changes.is_built_day

)

select * from final
