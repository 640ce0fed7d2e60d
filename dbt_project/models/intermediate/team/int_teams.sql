-- Each team's target mix (one column per tier), the risk appetite index that mix stands for, and
-- the unit its effort is measured in.
with

targets as (

    select team, risk_tier, target_share, target_source
    from {{ ref('stg_classification__team_tier_targets') }}

),

effort_methods as (

    -- int_team_period_effort measures each team in one unit throughout
    select distinct team, effort_method
    from {{ ref('int_team_period_effort') }}

),

pivoted as (

    select
        team,
        {%- for tier in risk_tiers() %}
        max(case when risk_tier = '{{ tier }}' then target_share end) as {{ tier }}_target_share,
        {%- endfor %}
        -- a team's tiers come from one set of targets: its own or the default
        max(target_source) as target_source
    from targets
    group by team

),

final as (

    select
        pivoted.team,
        {%- for tier in risk_tiers() %}
        pivoted.{{ tier }}_target_share,
        {%- endfor %}
        {{ risk_appetite_index('pivoted.{}_target_share') }} as target_index,
        pivoted.target_source,
        coalesce(effort_methods.effort_method, 'none') as effort_method
    from pivoted
    left join effort_methods on pivoted.team = effort_methods.team

)

select * from final
