{{ config(materialized='table') }}
-- Flow metrics per team and period (spec sections 3 and 5) over the team's standard work items
-- (epics are projects, sub-tasks parts of their parent's item): what arrived, what was completed
-- or cancelled, how long the completed items took, and the work in progress when the period ended.
with

periods as (

    select period_grain, period_start, period_end, snapshot_at
    from {{ ref('int_calendar_periods') }}

),

flow_items as (

    select
        flow_times.issue_id,
        classified.performing_team as team,
        classified.work_type,
        flow_times.created_at,
        flow_times.first_active_at,
        flow_times.completed_at,
        flow_times.is_done,
        flow_times.is_cancelled,
        flow_times.cycle_time_days,
        flow_times.lead_time_days,
        flow_times.active_days,
        flow_times.waiting_days
    from {{ ref('int_issue_flow_times') }} as flow_times
    inner join {{ ref('stg_classification__issues') }} as classified
        on flow_times.issue_id = classified.issue_id
    inner join {{ ref('stg_jira__issues') }} as issues
        on flow_times.issue_id = issues.issue_id
    where issues.hierarchy_level = 0

),

arrivals as (

    select flow_items.team, periods.period_grain, periods.period_start, count(*) as arrived_items
    from flow_items
    inner join periods
        on flow_items.created_at >= {{ utc_midnight('periods.period_start') }}
        and flow_items.created_at < periods.snapshot_at
    group by flow_items.team, periods.period_grain, periods.period_start

),

period_departures as (

    -- items done or cancelled in the period; durations of done items only
    select
        flow_items.team,
        periods.period_grain,
        periods.period_start,
        flow_items.is_done,
        flow_items.is_cancelled,
        flow_items.work_type,
        case when flow_items.is_done then flow_items.cycle_time_days end as done_cycle_time_days,
        case when flow_items.is_done then flow_items.lead_time_days end as done_lead_time_days,
        case when flow_items.is_done then flow_items.active_days end as done_active_days,
        case when flow_items.is_done then flow_items.waiting_days end as done_waiting_days
    from flow_items
    inner join periods
        on flow_items.completed_at >= {{ utc_midnight('periods.period_start') }}
        and flow_items.completed_at < periods.snapshot_at
    where flow_items.is_done or flow_items.is_cancelled

),

departures as (

    select
        team,
        period_grain,
        period_start,
        count(case when is_done then 1 end) as completed_items,
        count(case when is_cancelled then 1 end) as cancelled_items,
        {{ quantile('done_cycle_time_days', 0.5) }} as cycle_time_p50_days,
        {{ quantile('done_cycle_time_days', 0.85) }} as cycle_time_p85_days,
        {{ quantile('done_lead_time_days', 0.5) }} as lead_time_p50_days,
        {{ quantile('done_lead_time_days', 0.85) }} as lead_time_p85_days,
        sum(done_active_days) as completed_active_days,
        sum(done_active_days + done_waiting_days) as completed_flow_days,
        {%- for work_type in work_types() %}
        count(case when is_done and work_type = '{{ work_type }}' then 1 end)
            as completed_{{ work_type }}_items{{ ',' if not loop.last }}
        {%- endfor %}
    from period_departures
    group by team, period_grain, period_start

),

cycle_time_history as (

    -- the team's p85 cycle time over everything it completed before the period ended: the age
    -- beyond which an open item is aging
    select
        flow_items.team,
        periods.period_grain,
        periods.period_start,
        {{ quantile('flow_items.cycle_time_days', 0.85) }} as history_cycle_time_p85_days
    from flow_items
    inner join periods on flow_items.completed_at < periods.snapshot_at
    where flow_items.is_done
    group by flow_items.team, periods.period_grain, periods.period_start

),

open_items as (

    -- started (once active) and, when the period ended, in an active or waiting state
    select
        flow_items.team,
        periods.period_grain,
        periods.period_start,
        {{ fractional_days_between('flow_items.first_active_at', 'periods.snapshot_at') }}
            as age_days
    from flow_items
    inner join {{ ref('int_issue_status_intervals') }} as intervals
        on flow_items.issue_id = intervals.issue_id
    inner join periods
        on intervals.valid_from <= periods.snapshot_at
        and (intervals.valid_to is null or intervals.valid_to > periods.snapshot_at)
    where intervals.flow_state in ('active', 'waiting')
        and flow_items.first_active_at <= periods.snapshot_at

),

work_in_progress as (

    select
        open_items.team,
        open_items.period_grain,
        open_items.period_start,
        count(*) as wip_items,
        count(
            case
                when open_items.age_days > cycle_time_history.history_cycle_time_p85_days then 1
            end
        ) as aging_wip_items
    from open_items
    left join cycle_time_history
        on open_items.team = cycle_time_history.team
        and open_items.period_grain = cycle_time_history.period_grain
        and open_items.period_start = cycle_time_history.period_start
    group by open_items.team, open_items.period_grain, open_items.period_start

),

team_periods as (

    select team, period_grain, period_start from arrivals
    union
    select team, period_grain, period_start from departures
    union
    select team, period_grain, period_start from work_in_progress

),

final as (

    select
        team_periods.team || '|' || team_periods.period_grain || ':'
            || cast(team_periods.period_start as varchar) as team_period_id,
        team_periods.team,
        team_periods.period_grain,
        team_periods.period_start,
        coalesce(arrivals.arrived_items, 0) as arrived_items,
        coalesce(departures.completed_items, 0) as completed_items,
        coalesce(departures.cancelled_items, 0) as cancelled_items,
        departures.cycle_time_p50_days,
        departures.cycle_time_p85_days,
        departures.lead_time_p50_days,
        departures.lead_time_p85_days,
        departures.completed_active_days,
        departures.completed_flow_days,
        {%- for work_type in work_types() %}
        coalesce(departures.completed_{{ work_type }}_items, 0) as completed_{{ work_type }}_items,
        {%- endfor %}
        coalesce(work_in_progress.wip_items, 0) as wip_items,
        coalesce(work_in_progress.aging_wip_items, 0) as aging_wip_items,
        cycle_time_history.history_cycle_time_p85_days
    from team_periods
    left join arrivals
        on team_periods.team = arrivals.team
        and team_periods.period_grain = arrivals.period_grain
        and team_periods.period_start = arrivals.period_start
    left join departures
        on team_periods.team = departures.team
        and team_periods.period_grain = departures.period_grain
        and team_periods.period_start = departures.period_start
    left join work_in_progress
        on team_periods.team = work_in_progress.team
        and team_periods.period_grain = work_in_progress.period_grain
        and team_periods.period_start = work_in_progress.period_start
    left join cycle_time_history
        on team_periods.team = cycle_time_history.team
        and team_periods.period_grain = cycle_time_history.period_grain
        and team_periods.period_start = cycle_time_history.period_start

)

select * from final
