{{ config(materialized='table') }}
-- Which team each person belongs to in each period, with their capacity and attributed effort
-- there, for the teams' attribution coverage. A person belongs to the team they spent the most
-- attributed person-days for in the period (ties: the team first by name); in a period without
-- any attributed effort, to the team of their nearest earlier period, else of their nearest later
-- one, so that a person's idle capacity still counts against a team. A person who never has
-- attributed effort belongs to no team.
with

periods as (

    select period_grain, period_start, period_end
    from {{ ref('int_calendar_periods') }}

),

person_periods as (

    select
        person_days.account_id,
        periods.period_grain,
        periods.period_start,
        sum(person_days.capacity_person_days) as capacity_person_days,
        sum(person_days.attributed_person_days) as attributed_person_days
    from {{ ref('int_person_days') }} as person_days
    inner join periods
        on person_days.date_day >= periods.period_start
        and person_days.date_day < periods.period_end
    group by person_days.account_id, periods.period_grain, periods.period_start

),

team_effort as (

    select
        effort.account_id,
        periods.period_grain,
        periods.period_start,
        classified.performing_team as team,
        sum(effort.effort_person_days) as effort_person_days
    from {{ ref('int_person_day_effort') }} as effort
    inner join {{ ref('stg_classification__issues') }} as classified
        on effort.issue_id = classified.issue_id
    inner join periods
        on effort.date_day >= periods.period_start
        and effort.date_day < periods.period_end
    group by
        effort.account_id, periods.period_grain, periods.period_start, classified.performing_team

),

ranked_teams as (

    select
        account_id,
        period_grain,
        period_start,
        team,
        -- rounded: equal efforts summed in another row order differ in the last bits
        row_number() over (
            partition by account_id, period_grain, period_start
            order by round(effort_person_days, 9) desc, team
        ) as team_rank
    from team_effort

),

resolved as (

    select
        person_periods.account_id,
        person_periods.period_grain,
        person_periods.period_start,
        person_periods.capacity_person_days,
        person_periods.attributed_person_days,
        ranked_teams.team as effort_team,
        last_value(ranked_teams.team ignore nulls) over (
            partition by person_periods.account_id, person_periods.period_grain
            order by person_periods.period_start
            rows between unbounded preceding and current row
        ) as earlier_team,
        first_value(ranked_teams.team ignore nulls) over (
            partition by person_periods.account_id, person_periods.period_grain
            order by person_periods.period_start
            rows between current row and unbounded following
        ) as later_team
    from person_periods
    left join ranked_teams
        on person_periods.account_id = ranked_teams.account_id
        and person_periods.period_grain = ranked_teams.period_grain
        and person_periods.period_start = ranked_teams.period_start
        and ranked_teams.team_rank = 1

),

final as (

    select
        account_id || '|' || period_grain || ':' || cast(period_start as varchar)
            as person_period_id,
        account_id,
        period_grain,
        period_start,
        coalesce(effort_team, earlier_team, later_team) as team,
        case
            when effort_team is not null then 'most_effort'
            when earlier_team is not null then 'earlier_period'
            else 'later_period'
        end as team_rule,
        capacity_person_days,
        attributed_person_days
    from resolved
    where coalesce(effort_team, earlier_team, later_team) is not null

)

select * from final
