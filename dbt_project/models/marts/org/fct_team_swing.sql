-- Swing cadence (spec section 7), per team and quarter: how long since the team last spent its
-- target share on moonshots, and how its sure-thing share moved in the quarter after a moonshot
-- of its own ended unsuccessfully, to show whether failed bets make a team retreat to safe work.
with

team_quarters as (

    select
        team_quarter_id,
        team,
        quarter_start,
        quarter_label,
        is_current,
        moonshot_share,
        moonshot_target_share,
        -- rounded: a share exactly on target must not miss it on floating-point noise
        case when classified_effort > 0
            then round(moonshot_share - moonshot_target_share, 9) >= 0
        end as reached_moonshot_target,
        sure_thing_share
    from {{ ref('fct_team_quarter') }}

),

moonshot_setbacks as (

    select
        owning_team as team,
        cast({{ dbt.date_trunc('quarter', 'ended_unsuccessfully_on') }} as date) as quarter_start,
        count(*) as failed_moonshots,
        {{ dbt.listagg('project_id', "', '", 'order by project_id') }} as failed_moonshot_projects
    from {{ ref('int_org_project_outcomes') }}
    where risk_tier = 'moonshot'
        and ended_unsuccessfully_on is not null
    group by owning_team, cast({{ dbt.date_trunc('quarter', 'ended_unsuccessfully_on') }} as date)

),

assessed as (

    select
        team_quarters.team_quarter_id,
        team_quarters.team,
        team_quarters.quarter_start,
        team_quarters.quarter_label,
        team_quarters.is_current,
        team_quarters.moonshot_share,
        team_quarters.moonshot_target_share,
        team_quarters.reached_moonshot_target,
        max(
            case when team_quarters.reached_moonshot_target then team_quarters.quarter_start end
        ) over (team_history rows between unbounded preceding and current row)
            as last_moonshot_target_quarter_start,
        team_quarters.sure_thing_share,
        lead(team_quarters.sure_thing_share) over team_history as next_quarter_sure_thing_share,
        lead(team_quarters.is_current) over team_history as is_next_quarter_current,
        coalesce(moonshot_setbacks.failed_moonshots, 0) as failed_moonshots,
        moonshot_setbacks.failed_moonshot_projects
    from team_quarters
    left join moonshot_setbacks
        on team_quarters.team = moonshot_setbacks.team
        and team_quarters.quarter_start = moonshot_setbacks.quarter_start
    window team_history as (partition by team_quarters.team order by team_quarters.quarter_start)

),

final as (

    select
        team_quarter_id,
        team,
        quarter_start,
        quarter_label,
        is_current,
        moonshot_share,
        moonshot_target_share,
        reached_moonshot_target,
        last_moonshot_target_quarter_start,
        {{ dbt.datediff('last_moonshot_target_quarter_start', 'quarter_start', 'quarter') }}
            as quarters_since_moonshot_target,
        failed_moonshots,
        failed_moonshot_projects,
        sure_thing_share,
        case when failed_moonshots > 0 then next_quarter_sure_thing_share end
            as next_quarter_sure_thing_share,
        case when failed_moonshots > 0 then next_quarter_sure_thing_share - sure_thing_share end
            as sure_thing_share_change_after_failure,
        case when failed_moonshots > 0 then is_next_quarter_current end as is_change_provisional
    from assessed

)

select * from final
