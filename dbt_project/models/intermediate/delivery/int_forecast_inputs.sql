{{ config(materialized='table') }}
-- What the delivery forecast (int_forecasts_simulated) needs per open project as of the as-of
-- date: its remaining and done items, its due date, the quarter's end, its mission, and its share
-- of the owning team's throughput. Open means neither done nor cancelled, with at least one child;
-- UNPLANNED buckets are ongoing work, not forecast. The share is the project's part of the
-- person-days the team spent over the history window on the work still competing for it (its
-- open projects and its unplanned bucket), so capacity freed by projects finished meanwhile goes
-- to those left. A team without such effort falls back to the project's part of those open items
-- (effort_share_method says which).
with

projects as (

    select
        projects.project_id,
        projects.owning_team,
        projects.mission,
        projects.mission_deadline,
        projects.is_unplanned_project,
        progress.children_total,
        progress.children_done,
        progress.children_open,
        progress.project_flow_state,
        baselines.current_due_date,
        effort.person_days_in_history_window,
        not projects.is_unplanned_project
            and progress.children_total > 0
            and progress.project_flow_state not in ('done', 'cancelled') as is_forecast,
        projects.is_unplanned_project
            or progress.project_flow_state not in ('done', 'cancelled') as is_competing
    from {{ ref('stg_classification__projects') }} as projects
    inner join {{ ref('int_project_progress') }} as progress
        on projects.project_id = progress.project_id
    inner join {{ ref('int_project_baselines') }} as baselines
        on projects.project_id = baselines.project_id
    inner join {{ ref('int_project_effort') }} as effort
        on projects.project_id = effort.project_id

),

teams as (

    select
        owning_team,
        sum(person_days_in_history_window) as person_days_in_history_window,
        sum(children_open) as open_items
    from projects
    where is_competing
    group by owning_team

),

final as (

    select
        projects.project_id,
        projects.owning_team,
        projects.mission,
        projects.mission_deadline,
        {{ as_of_day() }} as as_of_date,
        {{ quarter_end_day(as_of_day()) }} as quarter_end_date,
        projects.current_due_date as due_date,
        projects.children_open as remaining_items,
        projects.children_done as done_items,
        case
            when teams.person_days_in_history_window > 0
                then projects.person_days_in_history_window / teams.person_days_in_history_window
            when teams.open_items > 0 then 1.0 * projects.children_open / teams.open_items
            else 0
        end as effort_share,
        case when teams.person_days_in_history_window > 0 then 'effort' else 'open_items' end
            as effort_share_method
    from projects
    inner join teams on projects.owning_team = teams.owning_team
    where projects.is_forecast

)

select * from final
