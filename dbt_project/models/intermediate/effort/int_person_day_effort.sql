{{ config(materialized='table') }}
-- Who worked on what, per person and day (spec section 4): a day with worklogs is the worklogs'
-- hours over a working day, scaled down so the day totals at most one person-day; a working day
-- without worklogs is split equally across the work items (not epics or initiatives: containers,
-- in progress for months) assigned to the person and in an `active` flow state that day,
-- crediting an item only within the idle limit after its last activity. A day with neither stays
-- unattributed (int_person_days).
{%- set hours_per_day = var('working_hours_per_day') %}
{%- set idle_days = var('attribution_idle_days') %}

with

calendar as (

    select date_day, is_working_day
    from {{ ref('int_calendar_days') }}

),

issues as (

    select issue_id, hierarchy_level
    from {{ ref('stg_jira__issues') }}
    where not is_deleted

),

logged_hours as (

    select
        worklogs.author_account_id as account_id,
        {{ utc_day('worklogs.started_at') }} as date_day,
        worklogs.issue_id,
        sum(worklogs.hours_spent) as hours_spent
    from {{ ref('stg_jira__worklogs') }} as worklogs
    inner join issues on worklogs.issue_id = issues.issue_id
    where worklogs.author_account_id is not null
        and worklogs.time_spent_seconds > 0
        and {{ utc_day('worklogs.started_at') }} <= {{ as_of_day() }}
    group by worklogs.author_account_id, {{ utc_day('worklogs.started_at') }}, worklogs.issue_id

),

logged_days as (

    select account_id, date_day, sum(hours_spent) as day_hours
    from logged_hours
    group by account_id, date_day

),

worklog_effort as (

    select
        logged_hours.account_id,
        logged_hours.date_day,
        logged_hours.issue_id,
        logged_hours.hours_spent
            / greatest(logged_days.day_hours, {{ hours_per_day }}) as effort_person_days,
        'worklog' as method
    from logged_hours
    inner join logged_days
        on logged_hours.account_id = logged_days.account_id
        and logged_hours.date_day = logged_days.date_day

),

active_stretches as (

    select
        intervals.issue_id,
        intervals.valid_from,
        coalesce(intervals.valid_to, {{ as_of_end_at() }}) as valid_until
    from {{ ref('int_issue_status_intervals') }} as intervals
    inner join issues on intervals.issue_id = issues.issue_id
    where intervals.flow_state = 'active' and issues.hierarchy_level <= 0

),

assignments as (

    select
        issue_id,
        value as account_id,
        valid_from,
        coalesce(valid_to, {{ as_of_end_at() }}) as valid_until
    from {{ ref('int_issue_attribute_intervals') }}
    where attribute = 'assignee' and value is not null

),

assigned_while_active as (

    select
        assignments.issue_id,
        assignments.account_id,
        greatest(assignments.valid_from, active_stretches.valid_from) as overlap_start,
        least(assignments.valid_until, active_stretches.valid_until) as overlap_end
    from assignments
    inner join active_stretches
        on assignments.issue_id = active_stretches.issue_id
        and assignments.valid_from < active_stretches.valid_until
        and active_stretches.valid_from < assignments.valid_until

),

assigned_active_days as (

    -- any moment of a day in the overlap makes the issue a candidate for the whole day
    select
        issue_id,
        account_id,
        {{ utc_day('overlap_start') }} as first_day,
        {{ last_day_touched('overlap_end') }} as last_day
    from assigned_while_active
    where overlap_end > overlap_start

),

issue_activity_days as (

    select distinct issue_id, activity_date
    from {{ ref('int_issue_activity_days') }}

),

activity_gaps as (

    select
        issue_id,
        activity_date,
        {{ dbt.datediff(
            'lag(activity_date) over (partition by issue_id order by activity_date)',
            'activity_date',
            'day',
        ) }} as days_since_previous_activity
    from issue_activity_days

),

activity_streaks as (

    -- activities at most the idle limit (+1) apart keep the issue creditable without a break
    select
        issue_id,
        activity_date,
        sum(case when days_since_previous_activity <= {{ idle_days + 1 }} then 0 else 1 end) over (
            partition by issue_id
            order by activity_date
            rows between unbounded preceding and current row
        ) as streak
    from activity_gaps

),

fresh_windows as (

    -- creditable from a streak's first activity to the idle limit after its last
    select
        issue_id,
        min(activity_date) as first_day,
        cast({{ dbt.dateadd('day', idle_days, 'max(activity_date)') }} as date) as last_day
    from activity_streaks
    group by issue_id, streak

),

creditable as (

    select
        assigned_active_days.issue_id,
        assigned_active_days.account_id,
        greatest(assigned_active_days.first_day, fresh_windows.first_day) as first_day,
        least(assigned_active_days.last_day, fresh_windows.last_day) as last_day
    from assigned_active_days
    inner join fresh_windows
        on assigned_active_days.issue_id = fresh_windows.issue_id
        and assigned_active_days.first_day <= fresh_windows.last_day
        and fresh_windows.first_day <= assigned_active_days.last_day

),

creditable_days as (

    select
        issue_id,
        account_id,
        {{ unnest_days('first_day', 'last_day') }} as date_day
    from creditable

),

candidates as (

    select distinct
        creditable_days.account_id,
        creditable_days.date_day,
        creditable_days.issue_id
    from creditable_days
    inner join calendar on creditable_days.date_day = calendar.date_day
    where calendar.is_working_day

),

assignment_effort as (

    select
        candidates.account_id,
        candidates.date_day,
        candidates.issue_id,
        1.0 / count(*) over (
            partition by candidates.account_id, candidates.date_day
        ) as effort_person_days,
        'active_assignment' as method
    from candidates
    left join logged_days
        on candidates.account_id = logged_days.account_id
        and candidates.date_day = logged_days.date_day
    where logged_days.account_id is null

),

effort as (

    select account_id, date_day, issue_id, effort_person_days, method from worklog_effort
    union all
    select account_id, date_day, issue_id, effort_person_days, method from assignment_effort

),

final as (

    select
        account_id || ':' || cast(date_day as varchar) || ':' || issue_id as person_day_effort_id,
        account_id || ':' || cast(date_day as varchar) as person_day_id,
        account_id,
        date_day,
        issue_id,
        effort_person_days,
        method
    from effort

)

select * from final
