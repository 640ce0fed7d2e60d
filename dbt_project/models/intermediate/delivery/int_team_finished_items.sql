{{ config(materialized='table') }}
-- Items each team finished as done (not cancelled) over the forecast's history window, the last
-- var forecast_history_weeks weeks to the as-of date: the throughput the delivery forecast
-- samples and the cycle times project aging is judged by (spec section 6). An item is any issue
-- below the project level (neither a project's own issue nor above the project level); its team
-- is its owning team, its project's.
with

project_issues as (

    select project_issue_id
    from {{ ref('stg_classification__projects') }}
    where project_issue_id is not null

),

final as (

    select
        flow_times.issue_id,
        classified.owning_team as team,
        classified.project_id,
        flow_times.completed_at,
        {{ history_week(utc_day('flow_times.completed_at')) }} as weeks_ago,
        flow_times.cycle_time_days
    from {{ ref('int_issue_flow_times') }} as flow_times
    inner join {{ ref('stg_classification__issues') }} as classified
        on flow_times.issue_id = classified.issue_id
    where flow_times.is_done
        and {{ utc_day('flow_times.completed_at') }}
            > {{ dbt.dateadd('day', -7 * var('forecast_history_weeks'), as_of_day()) }}
        and classified.hierarchy_status <> 'above_project_level'
        and flow_times.issue_id not in (select project_issue_id from project_issues)

)

select * from final
