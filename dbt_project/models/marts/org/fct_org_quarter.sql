-- The portfolio of portfolios (spec section 7), one row per calendar quarter: the org's tier mix
-- summed over its teams against the teams' targets, how many teams lean which way, how much effort
-- serves a mission, how predictably committed projects were delivered and, for the current
-- quarter, how concentrated and how endangered the open portfolio's expected impact is.
{%- set predictability_healthy_min = var('predictability_healthy_min') %}

with

quarters as (

    select
        period_start as quarter_start,
        period_end as quarter_end,
        period_label as quarter_label,
        is_current
    from {{ ref('int_calendar_periods') }}
    where period_grain = 'quarter'

),

team_quarters as (

    select
        team,
        quarter_start,
        effort_method,
        -- Teams measured in different units cannot be summed: the org mix uses the best unit any
        -- team has in the quarter and leaves the teams measured otherwise out.
        case effort_method when 'person_days' then 1 when 'story_points' then 2 else 3 end
            as effort_method_rank,
        classified_effort,
        {%- for tier in risk_tiers() %}
        {{ tier }}_effort,
        {{ tier }}_target_share,
        {%- endfor %}
        posture
    from {{ ref('fct_team_quarter') }}

),

org_effort_methods as (

    select quarter_start, min(effort_method_rank) as effort_method_rank
    from team_quarters
    where classified_effort > 0
    group by quarter_start

),

mix_teams as (

    select
        team_quarters.quarter_start,
        team_quarters.effort_method,
        team_quarters.classified_effort,
        {%- for tier in risk_tiers() %}
        team_quarters.{{ tier }}_effort,
        team_quarters.{{ tier }}_target_share{{ ',' if not loop.last }}
        {%- endfor %}
    from team_quarters
    inner join org_effort_methods
        on team_quarters.quarter_start = org_effort_methods.quarter_start
        and team_quarters.effort_method_rank = org_effort_methods.effort_method_rank

),

org_mix as (

    select
        quarter_start,
        min(effort_method) as effort_method,
        count(case when classified_effort > 0 then 1 end) as mix_teams,
        sum(classified_effort) as classified_effort,
        {%- for tier in risk_tiers() %}
        sum({{ tier }}_effort) as {{ tier }}_effort,
        -- each team's target weighs as much as its classified effort
        sum({{ tier }}_target_share * classified_effort)
            as {{ tier }}_weighted_target{{ ',' if not loop.last }}
        {%- endfor %}
    from mix_teams
    group by quarter_start

),

postures as (

    select
        quarter_start,
        count(case when posture = 'risk_averse' then 1 end) as risk_averse_teams,
        count(case when posture = 'too_bold' then 1 end) as too_bold_teams,
        count(case when posture = 'balanced' then 1 end) as balanced_teams,
        count(case when classified_effort > 0 then 1 end) as teams_with_classified_effort
    from team_quarters
    group by quarter_start

),

mission_effort as (

    select
        quarters.quarter_start,
        sum(effort.effort_person_days) as effort_person_days,
        sum(case when classified.mission is not null then effort.effort_person_days end)
            as mission_effort_person_days
    from {{ ref('int_person_day_effort') }} as effort
    inner join {{ ref('stg_classification__issues') }} as classified
        on effort.issue_id = classified.issue_id
    inner join quarters
        on effort.date_day >= quarters.quarter_start
        and effort.date_day < quarters.quarter_end
    group by quarters.quarter_start

),

due_dates as (

    select issue_id, cast(value as date) as due_date, valid_from, valid_to
    from {{ ref('int_issue_attribute_intervals') }}
    where attribute = 'due_date' and value is not null

),

committed_projects as (

    -- committed for a quarter: open when it began, with a due date inside it at that moment;
    -- delivered: done (a cancellation is not a delivery) before the quarter ended
    select
        quarters.quarter_start,
        outcomes.project_id,
        outcomes.expected_impact,
        coalesce(
            outcomes.is_done
            and outcomes.completed_at < {{ utc_midnight('quarters.quarter_end') }},
            false
        ) as is_delivered
    from {{ ref('int_org_project_outcomes') }} as outcomes
    inner join quarters
        on outcomes.created_at < {{ utc_midnight('quarters.quarter_start') }}
        and (
            outcomes.completed_at is null
            or outcomes.completed_at >= {{ utc_midnight('quarters.quarter_start') }}
        )
    inner join due_dates
        on outcomes.project_issue_id = due_dates.issue_id
        and due_dates.valid_from <= {{ utc_midnight('quarters.quarter_start') }}
        and (
            due_dates.valid_to is null
            or due_dates.valid_to > {{ utc_midnight('quarters.quarter_start') }}
        )
        and due_dates.due_date >= quarters.quarter_start
        and due_dates.due_date < quarters.quarter_end

),

commitments as (

    select
        quarter_start,
        count(*) as committed_projects,
        count(case when is_delivered then 1 end) as delivered_committed_projects,
        sum(expected_impact) as planned_expected_impact,
        sum(case when is_delivered then expected_impact else 0 end)
            as delivered_planned_expected_impact
    from committed_projects
    group by quarter_start

),

deliveries as (

    select
        quarter_start,
        count(*) as delivered_projects,
        sum(expected_impact) as delivered_expected_impact
    from {{ ref('fct_delivered_projects') }}
    group by quarter_start

),

open_portfolio as (

    -- the open projects (buckets aside) as of the as-of date, which falls in the current quarter
    select
        count(*) as open_projects,
        sum(expected_impact) as open_expected_impact,
        count(case when is_in_impact_core then 1 end) as impact_core_projects,
        {{ dbt.listagg(
            "case when is_in_impact_core then project_id end", "', '", 'order by impact_rank'
        ) }} as impact_core_members,
        sum(case when impact_rank <= 5 then expected_impact else 0 end) as top_5_expected_impact,
        sum(case when delivery_status in ('at_risk', 'off_track') then expected_impact else 0 end)
            as expected_impact_at_risk
    from {{ ref('fct_project_health') }}
    where not is_unplanned_project
        and not is_project_closed
        and expected_impact is not null

),

joined as (

    select
        quarters.quarter_start,
        quarters.quarter_label,
        quarters.is_current,
        org_mix.effort_method,
        coalesce(org_mix.mix_teams, 0) as mix_teams,
        coalesce(org_mix.classified_effort, 0) as classified_effort,
        {%- for tier in risk_tiers() %}
        coalesce(org_mix.{{ tier }}_effort, 0) as {{ tier }}_effort,
        {{ share_of('org_mix.' ~ tier ~ '_effort', 'org_mix.classified_effort') }}
            as {{ tier }}_share,
        {{ share_of('org_mix.' ~ tier ~ '_weighted_target', 'org_mix.classified_effort') }}
            as {{ tier }}_target_share,
        {%- endfor %}
        coalesce(postures.teams_with_classified_effort, 0) as teams_with_classified_effort,
        coalesce(postures.risk_averse_teams, 0) as risk_averse_teams,
        coalesce(postures.too_bold_teams, 0) as too_bold_teams,
        coalesce(postures.balanced_teams, 0) as balanced_teams,
        coalesce(mission_effort.effort_person_days, 0) as effort_person_days,
        coalesce(mission_effort.mission_effort_person_days, 0) as mission_effort_person_days,
        coalesce(commitments.committed_projects, 0) as committed_projects,
        coalesce(commitments.delivered_committed_projects, 0) as delivered_committed_projects,
        coalesce(commitments.planned_expected_impact, 0) as planned_expected_impact,
        coalesce(commitments.delivered_planned_expected_impact, 0)
            as delivered_planned_expected_impact,
        coalesce(deliveries.delivered_projects, 0) as delivered_projects,
        coalesce(deliveries.delivered_expected_impact, 0) as delivered_expected_impact,
        open_portfolio.open_projects,
        open_portfolio.open_expected_impact,
        open_portfolio.impact_core_projects,
        open_portfolio.impact_core_members,
        open_portfolio.top_5_expected_impact,
        open_portfolio.expected_impact_at_risk
    from quarters
    left join org_mix on quarters.quarter_start = org_mix.quarter_start
    left join postures on quarters.quarter_start = postures.quarter_start
    left join mission_effort on quarters.quarter_start = mission_effort.quarter_start
    left join commitments on quarters.quarter_start = commitments.quarter_start
    left join deliveries on quarters.quarter_start = deliveries.quarter_start
    left join open_portfolio on quarters.is_current

),

final as (

    select
        cast(quarter_start as varchar) as org_quarter_id,
        quarter_start,
        quarter_label,
        is_current,
        effort_method,
        mix_teams,
        classified_effort,
        {%- for tier in risk_tiers() %}
        {{ tier }}_effort,
        {{ tier }}_share,
        {{ tier }}_target_share,
        {%- endfor %}
        {{ mix_drift() }} as mix_drift,
        {{ risk_appetite_index('{}_share') }} as risk_appetite_index,
        {{ risk_appetite_index('{}_target_share') }} as target_index,
        teams_with_classified_effort,
        risk_averse_teams,
        too_bold_teams,
        balanced_teams,
        -- "most teams": more than half of the teams with classified effort lean the same way
        case
            when too_bold_teams * 2 > teams_with_classified_effort then 'too_bold'
            when risk_averse_teams * 2 > teams_with_classified_effort then 'risk_averse'
        end as prevailing_lean,
        teams_with_classified_effort > 0
            and (too_bold_teams = teams_with_classified_effort
                or risk_averse_teams = teams_with_classified_effort) as is_lean_unanimous,
        effort_person_days,
        mission_effort_person_days,
        mission_effort_person_days / nullif(effort_person_days, 0) as strategic_alignment,
        committed_projects,
        delivered_committed_projects,
        planned_expected_impact,
        delivered_planned_expected_impact,
        delivered_planned_expected_impact / nullif(planned_expected_impact, 0) as predictability,
        delivered_planned_expected_impact / nullif(planned_expected_impact, 0)
            >= {{ predictability_healthy_min }} as is_predictability_healthy,
        delivered_projects,
        delivered_expected_impact,
        open_projects,
        open_expected_impact,
        impact_core_projects,
        impact_core_members,
        top_5_expected_impact / nullif(open_expected_impact, 0) as top_5_impact_share,
        expected_impact_at_risk,
        expected_impact_at_risk / nullif(open_expected_impact, 0) as impact_at_risk_share
    from joined

)

select * from final
