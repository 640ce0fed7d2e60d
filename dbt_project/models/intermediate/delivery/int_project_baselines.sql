{{ config(materialized='table') }}
-- What each project committed to when work began (spec section 6): its first start, the first due
-- date set on its issue, and how many children it had at the first start, the base of scope
-- growth. Children at a moment are the issues whose membership stretch (int_project_memberships,
-- from the history of parent links) holds just before it. Everything is as of the as-of date.
with

projects as (

    select
        projects.project_id,
        projects.project_issue_id,
        projects.is_unplanned_project,
        project_issues.created_at as project_created_at
    from {{ ref('stg_classification__projects') }} as projects
    left join {{ ref('stg_jira__issues') }} as project_issues
        on projects.project_issue_id = project_issues.issue_id

),

memberships as (

    select project_id, issue_id, valid_from, valid_to
    from {{ ref('int_project_memberships') }}
    where valid_from < {{ as_of_end_at() }}

),

active_intervals as (

    select issue_id, valid_from, valid_to
    from {{ ref('int_issue_status_intervals') }}
    where flow_state = 'active' and valid_from < {{ as_of_end_at() }}

),

starts as (

    -- a child's work counts from the moment it is both active and a child
    select
        memberships.project_id,
        case when active_intervals.valid_from > memberships.valid_from
            then active_intervals.valid_from else memberships.valid_from end as started_at
    from memberships
    inner join active_intervals
        on memberships.issue_id = active_intervals.issue_id
        and (memberships.valid_to is null or active_intervals.valid_from < memberships.valid_to)
        and (active_intervals.valid_to is null or memberships.valid_from < active_intervals.valid_to)

    union all

    select projects.project_id, active_intervals.valid_from
    from projects
    inner join active_intervals on projects.project_issue_id = active_intervals.issue_id

),

first_starts as (

    select project_id, min(started_at) as first_start_at
    from starts
    group by project_id

),

children_at_first_start as (

    select first_starts.project_id, count(distinct memberships.issue_id) as children_at_first_start
    from first_starts
    inner join memberships
        on memberships.project_id = first_starts.project_id
        and memberships.valid_from <= first_starts.first_start_at
        and (memberships.valid_to is null or memberships.valid_to > first_starts.first_start_at)
    group by first_starts.project_id

),

due_dates as (

    select
        projects.project_id,
        cast(due_intervals.value as date) as due_date,
        due_intervals.valid_from,
        row_number() over (
            partition by projects.project_id order by due_intervals.valid_from
        ) as set_order,
        {{ holds_just_before('due_intervals', as_of_end_at()) }} as is_current_as_of
    from projects
    inner join {{ ref('int_issue_attribute_intervals') }} as due_intervals
        on projects.project_issue_id = due_intervals.issue_id
    where due_intervals.attribute = 'due_date'
        and due_intervals.value is not null
        and due_intervals.valid_from < {{ as_of_end_at() }}

),

first_member_creations as (

    -- a bucket has no issue of its own: it exists from its first issue
    select project_id, min(valid_from) as first_member_at
    from memberships
    group by project_id

),

final as (

    select
        projects.project_id,
        projects.project_issue_id,
        projects.is_unplanned_project,
        coalesce(projects.project_created_at, first_member_creations.first_member_at) as created_at,
        first_starts.first_start_at,
        {{ utc_day('first_starts.first_start_at') }} as first_start_date,
        -- a bucket collects work as it comes: it has no scope to grow from
        case when first_starts.first_start_at is not null and not projects.is_unplanned_project
            then coalesce(children_at_first_start.children_at_first_start, 0)
        end as children_at_first_start,
        baseline.due_date as baseline_due_date,
        baseline.valid_from as baseline_due_set_at,
        current_due.due_date as current_due_date
    from projects
    left join first_member_creations on projects.project_id = first_member_creations.project_id
    left join first_starts on projects.project_id = first_starts.project_id
    left join children_at_first_start on projects.project_id = children_at_first_start.project_id
    left join due_dates as baseline
        on projects.project_id = baseline.project_id and baseline.set_order = 1
    left join due_dates as current_due
        on projects.project_id = current_due.project_id and current_due.is_current_as_of

)

select * from final
