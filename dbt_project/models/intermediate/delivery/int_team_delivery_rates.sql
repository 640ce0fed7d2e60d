{{ config(materialized='table') }}
-- What one finished item costs each team and how long items take, over the forecast's history
-- window (the last var forecast_history_weeks weeks): person-days per finished item turns a
-- project's remaining items into remaining person-days, and the 85th percentile cycle time is
-- the age beyond which an item in progress counts as aging (spec sections 5 and 6).
with

teams as (

    select owning_team as team, sum(person_days_in_history_window) as person_days_in_history_window
    from {{ ref('int_project_effort') }}
    group by owning_team

),

finished as (

    select
        team,
        count(*) as finished_items,
        {{ quantile('cycle_time_days', 0.85) }} as p85_cycle_time_days
    from {{ ref('int_team_finished_items') }}
    group by team

),

final as (

    select
        teams.team,
        teams.person_days_in_history_window,
        coalesce(finished.finished_items, 0) as finished_items_in_history_window,
        case when finished.finished_items > 0
            then teams.person_days_in_history_window / finished.finished_items
        end as person_days_per_finished_item,
        finished.p85_cycle_time_days
    from teams
    left join finished on teams.team = finished.team

)

select * from final
