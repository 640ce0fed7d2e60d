{{ config(materialized='table') }}
-- Every per-team metric of spec section 5, for months and quarters alike (period_grain), so that
-- fct_team_month and fct_team_quarter share one implementation. A team has a row for every period
-- from its first activity (effort, an arrival, a completion, work in progress or a person) to the
-- as-of period, quiet periods included, so that "consecutive" and "the last 3" count periods.
{%- set tolerance = var('guardrail_tolerance') %}
{%- set consecutive_months = var('guardrail_consecutive_months') %}
{%- set band = var('posture_band') %}
with

periods as (

    select period_grain, period_start, period_label, calendar_days, is_current
    from {{ ref('int_calendar_periods') }}

),

teams as (

    select
        team,
        {%- for tier in risk_tiers() %}
        {{ tier }}_target_share,
        {%- endfor %}
        target_index,
        effort_method
    from {{ ref('int_teams') }}

),

effort as (

    select
        team,
        period_grain,
        period_start,
        {%- for tier in risk_tiers() + ['unclassified'] %}
        {{ tier }}_effort,
        {%- endfor %}
        classified_effort,
        unplanned_effort,
        total_effort
    from {{ ref('int_team_period_effort') }}

),

flow as (

    select
        team,
        period_grain,
        period_start,
        arrived_items,
        completed_items,
        cancelled_items,
        cycle_time_p50_days,
        cycle_time_p85_days,
        lead_time_p50_days,
        lead_time_p85_days,
        completed_active_days,
        completed_flow_days,
        {%- for work_type in work_types() %}
        completed_{{ work_type }}_items,
        {%- endfor %}
        wip_items,
        aging_wip_items,
        history_cycle_time_p85_days
    from {{ ref('int_team_period_flow') }}

),

people as (

    select
        team,
        period_grain,
        period_start,
        count(*) as people,
        sum(capacity_person_days) as capacity_person_days,
        sum(attributed_person_days) as attributed_person_days
    from {{ ref('int_person_period_teams') }}
    group by team, period_grain, period_start

),

team_first_periods as (

    select team, period_grain, min(period_start) as first_period_start
    from (
        select team, period_grain, period_start from effort
        union all
        select team, period_grain, period_start from flow
        union all
        select team, period_grain, period_start from people
    ) as activity
    group by team, period_grain

),

team_periods as (

    select
        team_first_periods.team,
        periods.period_grain,
        periods.period_start,
        periods.period_label,
        periods.calendar_days,
        periods.is_current
    from team_first_periods
    inner join periods
        on team_first_periods.period_grain = periods.period_grain
        and periods.period_start >= team_first_periods.first_period_start

),

joined as (

    select
        team_periods.team,
        team_periods.period_grain,
        team_periods.period_start,
        team_periods.period_label,
        team_periods.calendar_days,
        team_periods.is_current,
        teams.effort_method,
        {%- for tier in risk_tiers() + ['unclassified'] %}
        coalesce(effort.{{ tier }}_effort, 0) as {{ tier }}_effort,
        {%- endfor %}
        coalesce(effort.classified_effort, 0) as classified_effort,
        coalesce(effort.unplanned_effort, 0) as unplanned_effort,
        coalesce(effort.total_effort, 0) as total_effort,
        {%- for tier in risk_tiers() %}
        teams.{{ tier }}_target_share,
        {%- endfor %}
        teams.target_index,
        coalesce(people.people, 0) as people,
        coalesce(people.capacity_person_days, 0) as capacity_person_days,
        coalesce(people.attributed_person_days, 0) as attributed_person_days,
        coalesce(flow.arrived_items, 0) as arrived_items,
        coalesce(flow.completed_items, 0) as completed_items,
        coalesce(flow.cancelled_items, 0) as cancelled_items,
        flow.cycle_time_p50_days,
        flow.cycle_time_p85_days,
        flow.lead_time_p50_days,
        flow.lead_time_p85_days,
        flow.completed_active_days,
        flow.completed_flow_days,
        {%- for work_type in work_types() %}
        coalesce(flow.completed_{{ work_type }}_items, 0) as completed_{{ work_type }}_items,
        {%- endfor %}
        coalesce(flow.wip_items, 0) as wip_items,
        coalesce(flow.aging_wip_items, 0) as aging_wip_items,
        flow.history_cycle_time_p85_days
    from team_periods
    left join teams on team_periods.team = teams.team
    left join effort
        on team_periods.team = effort.team
        and team_periods.period_grain = effort.period_grain
        and team_periods.period_start = effort.period_start
    left join flow
        on team_periods.team = flow.team
        and team_periods.period_grain = flow.period_grain
        and team_periods.period_start = flow.period_start
    left join people
        on team_periods.team = people.team
        and team_periods.period_grain = people.period_grain
        and team_periods.period_start = people.period_start

),

shares as (

    select
        *,
        {%- for tier in risk_tiers() %}
        {{ share_of(tier ~ '_effort', 'classified_effort') }} as {{ tier }}_share,
        {%- endfor %}
        {{ share_of('unclassified_effort', 'total_effort') }} as unclassified_share,
        {{ share_of('unplanned_effort', 'total_effort') }} as unplanned_share
    from joined

),

assessed as (

    select
        *,
        {{ mix_drift() }} as mix_drift,
        {{ risk_appetite_index('{}_share') }} as risk_appetite_index,
        {%- for tier in risk_tiers() %}
        -- rounded: a share exactly on the tolerance's edge must not flip on floating-point noise
        coalesce(round(abs({{ tier }}_share - {{ tier }}_target_share), 9) > {{ tolerance }}, false)
            as {{ tier }}_outside_band,
        {%- endfor %}
        {{ share_of('attributed_person_days', 'capacity_person_days') }} as attribution_coverage,
        completed_items * 7.0 / calendar_days as throughput_per_week,
        {{ share_of('completed_active_days', 'completed_flow_days') }} as flow_efficiency,
        {%- for work_type in work_types() %}
        case
            when completed_items > 0 then completed_{{ work_type }}_items * 1.0 / completed_items
        end as {{ work_type }}_share_of_completed,
        {%- endfor %}
        case when wip_items > 0 then aging_wip_items * 1.0 / wip_items end as aging_wip_ratio,
        arrived_items - completed_items - cancelled_items as net_flow
    from shares

),

postured as (

    select
        *,
        case
            when risk_appetite_index < target_index - {{ band }} then 'risk_averse'
            when risk_appetite_index > target_index + {{ band }} then 'too_bold'
            when risk_appetite_index is not null then 'balanced'
        end as posture
    from assessed

),

windowed as (

    select
        *,
        (risk_appetite_index - avg(risk_appetite_index) over teams_in_period)
            / nullif(stddev_pop(risk_appetite_index) over teams_in_period, 0) as appetite_z_score,
        {%- for tier in risk_tiers() %}
        -- meaningful on months only, where the streak is judged
        sum(case when {{ tier }}_outside_band then 1 else 0 end) over (
            team_periods rows between {{ consecutive_months - 1 }} preceding and current row
        ) = {{ consecutive_months }} as {{ tier }}_streak_complete,
        {%- endfor %}
        -- meaningful on quarters only
        count(case when posture = 'risk_averse' then 1 end) over last_3_periods
            as risk_averse_of_last_3,
        count(case when posture = 'too_bold' then 1 end) over last_3_periods
            as too_bold_of_last_3
    from postured
    window
        teams_in_period as (partition by period_grain, period_start),
        team_periods as (partition by team, period_grain order by period_start),
        last_3_periods as (
            partition by team, period_grain order by period_start
            rows between 2 preceding and current row
        )

),

month_breaches as (

    select
        team,
        period_start,
        {%- for tier in risk_tiers() %}
        {{ tier }}_streak_complete as {{ tier }}_guardrail_breach,
        {%- endfor %}
        case
            {%- for tier in risk_tiers() %}
            when {{ tier }}_streak_complete then 1
            {%- endfor %}
            else 0
        end as guardrail_breach_months
    from windowed
    where period_grain = 'month'

),

breaches as (

    select
        team,
        'month' as period_grain,
        period_start,
        {%- for tier in risk_tiers() %}
        {{ tier }}_guardrail_breach,
        {%- endfor %}
        guardrail_breach_months
    from month_breaches
    union all
    select
        team,
        'quarter' as period_grain,
        cast({{ dbt.date_trunc('quarter', 'period_start') }} as date) as period_start,
        {%- for tier in risk_tiers() %}
        {{ dbt.bool_or(tier ~ '_guardrail_breach') }} as {{ tier }}_guardrail_breach,
        {%- endfor %}
        sum(guardrail_breach_months) as guardrail_breach_months
    from month_breaches
    group by team, cast({{ dbt.date_trunc('quarter', 'period_start') }} as date)

),

final as (

    select
        windowed.team || '|' || windowed.period_grain || ':'
            || cast(windowed.period_start as varchar) as team_period_id,
        windowed.team,
        windowed.period_grain,
        windowed.period_start,
        windowed.period_label,
        windowed.is_current,
        windowed.calendar_days,
        windowed.effort_method,
        windowed.total_effort,
        windowed.classified_effort,
        {%- for tier in risk_tiers() + ['unclassified'] %}
        windowed.{{ tier }}_effort,
        {%- endfor %}
        windowed.unplanned_effort,
        {%- for tier in risk_tiers() %}
        windowed.{{ tier }}_share,
        windowed.{{ tier }}_target_share,
        {%- endfor %}
        windowed.unclassified_share,
        windowed.unplanned_share,
        windowed.mix_drift,
        windowed.risk_appetite_index,
        windowed.target_index,
        windowed.posture,
        windowed.appetite_z_score,
        case
            when windowed.period_grain <> 'quarter' then null
            when windowed.risk_averse_of_last_3 >= 2 then 'risk_averse'
            when windowed.too_bold_of_last_3 >= 2 then 'too_bold'
        end as chronic_posture,
        {%- for tier in risk_tiers() %}
        breaches.{{ tier }}_guardrail_breach,
        {%- endfor %}
        breaches.guardrail_breach_months,
        breaches.guardrail_breach_months > 0 as has_guardrail_breach,
        windowed.people,
        windowed.capacity_person_days,
        windowed.attributed_person_days,
        windowed.attribution_coverage,
        windowed.arrived_items,
        windowed.completed_items,
        windowed.cancelled_items,
        windowed.net_flow,
        windowed.throughput_per_week,
        windowed.cycle_time_p50_days,
        windowed.cycle_time_p85_days,
        windowed.lead_time_p50_days,
        windowed.lead_time_p85_days,
        windowed.flow_efficiency,
        {%- for work_type in work_types() %}
        windowed.{{ work_type }}_share_of_completed,
        {%- endfor %}
        windowed.wip_items,
        windowed.aging_wip_items,
        windowed.aging_wip_ratio,
        windowed.history_cycle_time_p85_days as aging_threshold_days
    from windowed
    left join breaches
        on windowed.team = breaches.team
        and windowed.period_grain = breaches.period_grain
        and windowed.period_start = breaches.period_start

)

select * from final
