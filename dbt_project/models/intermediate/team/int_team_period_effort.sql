{{ config(materialized='table') }}
-- Effort per team, period and risk tier (spec sections 4 and 5). Effort counts for the issue's
-- performing team. A team with person-day data anywhere is measured in person-days; a team with
-- none (no worklogs and no assignees on active work) falls back to its standard work items that
-- were active in the period: their story points when the team estimates every work item, else
-- their count. effort_method says which, so the units are never mixed within a team.
with

classified_issues as (

    select issue_id, performing_team as team, risk_tier, is_unplanned
    from {{ ref('stg_classification__issues') }}

),

periods as (

    select period_grain, period_start, period_end, snapshot_at
    from {{ ref('int_calendar_periods') }}

),

person_day_effort as (

    select
        classified_issues.team,
        classified_issues.risk_tier,
        classified_issues.is_unplanned,
        effort.date_day,
        effort.effort_person_days
    from {{ ref('int_person_day_effort') }} as effort
    inner join classified_issues on effort.issue_id = classified_issues.issue_id

),

teams_with_person_data as (

    select distinct team
    from person_day_effort

),

fallback_items as (

    -- standard-level issues: epics are projects, sub-tasks are parts of their parent's work
    select
        classified_issues.team,
        classified_issues.risk_tier,
        classified_issues.is_unplanned,
        issues.issue_id,
        issues.story_points
    from {{ ref('stg_jira__issues') }} as issues
    inner join classified_issues on issues.issue_id = classified_issues.issue_id
    left join teams_with_person_data on classified_issues.team = teams_with_person_data.team
    where not issues.is_deleted
        and issues.hierarchy_level = 0
        and teams_with_person_data.team is null

),

fallback_methods as (

    select
        team,
        case when count(*) = count(story_points) then 'story_points' else 'issue_count' end
            as effort_method
    from fallback_items
    group by team

),

fallback_active_items as (

    select distinct
        fallback_items.team,
        fallback_items.risk_tier,
        fallback_items.is_unplanned,
        fallback_items.issue_id,
        periods.period_grain,
        periods.period_start,
        fallback_methods.effort_method,
        case
            when fallback_methods.effort_method = 'story_points' then fallback_items.story_points
            else 1
        end as effort
    from fallback_items
    inner join fallback_methods on fallback_items.team = fallback_methods.team
    inner join {{ ref('int_issue_status_intervals') }} as intervals
        on fallback_items.issue_id = intervals.issue_id
    inner join periods
        on intervals.valid_from < periods.snapshot_at
        and (
            intervals.valid_to is null
            or intervals.valid_to > {{ utc_midnight('periods.period_start') }}
        )
    where intervals.flow_state = 'active'

),

effort as (

    select
        person_day_effort.team,
        person_day_effort.risk_tier,
        person_day_effort.is_unplanned,
        periods.period_grain,
        periods.period_start,
        'person_days' as effort_method,
        person_day_effort.effort_person_days as effort
    from person_day_effort
    inner join periods
        on person_day_effort.date_day >= periods.period_start
        and person_day_effort.date_day < periods.period_end
    union all
    select team, risk_tier, is_unplanned, period_grain, period_start, effort_method, effort
    from fallback_active_items

),

final as (

    select
        team || '|' || period_grain || ':' || cast(period_start as varchar) as team_period_id,
        team,
        period_grain,
        period_start,
        effort_method,
        {%- for tier in risk_tiers() + ['unclassified'] %}
        coalesce(sum(case when risk_tier = '{{ tier }}' then effort end), 0) as {{ tier }}_effort,
        {%- endfor %}
        coalesce(sum(case when risk_tier <> 'unclassified' then effort end), 0)
            as classified_effort,
        coalesce(sum(case when is_unplanned then effort end), 0) as unplanned_effort,
        sum(effort) as total_effort
    from effort
    group by team, period_grain, period_start, effort_method

)

select * from final
