{{ config(materialized='table') }}
-- Person-days spent on each project (spec sections 4 and 6): on its own issue and on every issue
-- classified into it today, to the as-of date, in its quarter, and over the forecast's history
-- window (the last var forecast_history_weeks weeks), which sets its share of the team's effort.
with

projects as (

    select project_id, project_issue_id, owning_team
    from {{ ref('stg_classification__projects') }}

),

issue_effort as (

    select
        classified.project_id,
        effort.date_day,
        effort.effort_person_days
    from {{ ref('int_person_day_effort') }} as effort
    inner join {{ ref('stg_classification__issues') }} as classified
        on effort.issue_id = classified.issue_id
    where effort.date_day <= {{ as_of_day() }}

),

per_project as (

    select
        project_id,
        sum(effort_person_days) as person_days_to_date,
        sum(case when date_day >= {{ dbt.date_trunc('quarter', as_of_day()) }}
            then effort_person_days else 0 end) as person_days_this_quarter,
        sum(case when date_day > {{ dbt.dateadd('day', -7 * var('forecast_history_weeks'), as_of_day()) }}
            then effort_person_days else 0 end) as person_days_in_history_window
    from issue_effort
    group by project_id

),

final as (

    select
        projects.project_id,
        projects.owning_team,
        coalesce(per_project.person_days_to_date, 0) as person_days_to_date,
        coalesce(per_project.person_days_this_quarter, 0) as person_days_this_quarter,
        coalesce(per_project.person_days_in_history_window, 0) as person_days_in_history_window
    from projects
    left join per_project on projects.project_id = per_project.project_id

)

select * from final
