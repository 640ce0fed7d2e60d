-- Everyone the landed issues mention, with the team they mostly work for: the performing team of
-- the issues their attributed person-days went to (a person's team is not a Jira field).
with

team_effort as (

    select
        effort.account_id,
        classified.performing_team as team,
        sum(effort.effort_person_days) as effort_person_days,
        max(effort.date_day) as last_effort_day
    from {{ ref('int_person_day_effort') }} as effort
    inner join {{ ref('stg_classification__issues') }} as classified
        on effort.issue_id = classified.issue_id
    group by effort.account_id, classified.performing_team

),

ranked_teams as (

    select
        account_id,
        team,
        effort_person_days,
        sum(effort_person_days) over (partition by account_id) as total_effort_person_days,
        max(last_effort_day) over (partition by account_id) as person_last_effort_day,
        count(*) over (partition by account_id) as team_count,
        -- ties go to the team worked for most recently, then by name, so the choice is stable
        -- (efforts rounded: equal sums added in another row order differ in the last bits)
        row_number() over (
            partition by account_id
            order by round(effort_person_days, 9) desc, last_effort_day desc, team
        ) as team_rank
    from team_effort

),

main_teams as (

    select
        account_id,
        team as main_team,
        effort_person_days as main_team_effort_person_days,
        total_effort_person_days,
        team_count,
        person_last_effort_day as last_effort_day
    from ranked_teams
    where team_rank = 1

),

final as (

    select
        users.account_id,
        users.display_name,
        users.email,
        users.active as is_active,
        main_teams.main_team,
        main_teams.main_team_effort_person_days / nullif(main_teams.total_effort_person_days, 0)
            as main_team_effort_share,
        coalesce(main_teams.total_effort_person_days, 0) as total_effort_person_days,
        coalesce(main_teams.team_count, 0) as team_count,
        main_teams.last_effort_day
    from {{ ref('stg_jira__users') }} as users
    left join main_teams
        on users.account_id = main_teams.account_id

)

select * from final
