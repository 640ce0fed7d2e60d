{{ config(materialized='table') }}
-- Items each team finished in each week of the forecast's history window, zeros included: what the
-- delivery forecast samples (spec section 6). Weeks are the 7-day stretches ending on the as-of
-- day (week 1 is the as-of day and the 6 before it), so none is partial; a window reaching back
-- before the first issue holds only the weeks since.
with

weeks as (

    select distinct {{ history_week('date_day') }} as weeks_ago
    from {{ ref('int_calendar_days') }}
    where date_day > {{ dbt.dateadd('day', -7 * var('forecast_history_weeks'), as_of_day()) }}

),

teams as (

    select distinct owning_team as team
    from {{ ref('stg_classification__projects') }}

),

final as (

    select
        teams.team || ':' || cast(weeks.weeks_ago as varchar) as team_week_id,
        teams.team,
        weeks.weeks_ago,
        cast({{ dbt.dateadd('day', '1 - 7 * weeks.weeks_ago', as_of_day()) }} as date) as week_first_day,
        cast({{ dbt.dateadd('day', '7 - 7 * weeks.weeks_ago', as_of_day()) }} as date) as week_last_day,
        count(finished.issue_id) as completed_items
    from teams
    cross join weeks
    left join {{ ref('int_team_finished_items') }} as finished
        on teams.team = finished.team and weeks.weeks_ago = finished.weeks_ago
    group by teams.team, weeks.weeks_ago

)

select * from final
