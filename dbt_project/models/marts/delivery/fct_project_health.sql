-- Every project as of the as-of date (spec section 6): its progress and schedule, its forecast,
-- its delivery status with the reason, the value it is expected to deliver by the quarter's end,
-- and where the owning team's capacity would do more good (deprioritisation and acceleration).
{%- set thresholds = var('delivery_thresholds') %}
{%- set risk_signals = [
    'low_p_done_risk', 'low_schedule_performance_risk', 'scope_growth_risk', 'aging_risk',
    'staleness_risk',
] %}

with

projects as (

    select
        project_id,
        is_unplanned_project,
        owning_team,
        mission,
        risk_tier,
        success_curve,
        impact,
        p_success
    from {{ ref('stg_classification__projects') }}

),

as_of_state as (

    select
        project_id,
        snapshot_date,
        children_total,
        children_done,
        children_cancelled,
        children_open,
        pct_complete_by_count,
        pct_complete_by_story_points,
        children_at_first_start,
        scope_growth,
        project_status_name,
        due_date,
        baseline_due_date,
        slip_days,
        is_overdue,
        last_change_at,
        staleness_days,
        is_project_flagged,
        is_project_blocked_status,
        flagged_open_children,
        blocked_open_children
    from {{ ref('fct_project_daily_snapshot') }}
    where snapshot_date = {{ as_of_day() }}

),

baselines as (

    select project_id, first_start_at, first_start_date
    from {{ ref('int_project_baselines') }}

),

timelines as (

    -- the time elapsed from the first start to the end of the due day, as a share of that span
    select
        as_of_state.project_id,
        baselines.first_start_at,
        {{ utc_midnight(dbt.dateadd('day', 1, 'as_of_state.due_date')) }} as due_end_at
    from as_of_state
    inner join baselines on as_of_state.project_id = baselines.project_id

),

elapsed as (

    select
        project_id,
        ({{ fractional_days_between('first_start_at', as_of_end_at()) }})
            / ({{ fractional_days_between('first_start_at', 'due_end_at') }}) as pct_time_elapsed
    from timelines
    where first_start_at < due_end_at

),

measures as (

    select
        projects.project_id,
        projects.is_unplanned_project,
        projects.owning_team,
        projects.mission,
        projects.risk_tier,
        projects.success_curve,
        projects.impact * projects.p_success as expected_impact,
        as_of_state.snapshot_date as as_of_date,
        as_of_state.children_total,
        as_of_state.children_done,
        as_of_state.children_cancelled,
        as_of_state.children_open,
        progress.children_in_progress,
        as_of_state.pct_complete_by_count,
        as_of_state.pct_complete_by_story_points,
        as_of_state.children_at_first_start,
        as_of_state.scope_growth,
        baselines.first_start_date,
        as_of_state.baseline_due_date,
        as_of_state.due_date,
        as_of_state.slip_days,
        as_of_state.is_overdue,
        case when as_of_state.is_overdue
            then {{ dbt.datediff('as_of_state.due_date', 'as_of_state.snapshot_date', 'day') }}
        end as days_overdue,
        as_of_state.project_status_name,
        progress.is_project_cancelled,
        progress.is_project_done or progress.is_project_cancelled as is_project_closed,
        as_of_state.last_change_at,
        as_of_state.staleness_days,
        as_of_state.is_project_flagged,
        as_of_state.is_project_blocked_status,
        as_of_state.flagged_open_children,
        as_of_state.blocked_open_children,
        progress.aging_ratio,
        elapsed.pct_time_elapsed,
        case when elapsed.pct_time_elapsed > 0
            then as_of_state.pct_complete_by_count / elapsed.pct_time_elapsed
        end as schedule_performance,
        forecasts.p50_finish_date,
        forecasts.p85_finish_date,
        forecasts.p95_finish_date,
        forecasts.p_done_by_due,
        forecasts.quarter_end_date,
        forecasts.p_done_by_quarter_end,
        forecasts.expected_fraction_done_by_quarter_end,
        effort.person_days_to_date,
        effort.person_days_this_quarter,
        effort.person_days_in_history_window,
        as_of_state.children_open * rates.person_days_per_finished_item as remaining_person_days,
        {{ team_daily_rate('projects.owning_team') }} as daily_rate
    from projects
    inner join as_of_state on projects.project_id = as_of_state.project_id
    inner join baselines on projects.project_id = baselines.project_id
    inner join {{ ref('int_project_progress') }} as progress
        on projects.project_id = progress.project_id
    inner join {{ ref('int_project_effort') }} as effort
        on projects.project_id = effort.project_id
    left join elapsed on projects.project_id = elapsed.project_id
    left join {{ ref('int_team_delivery_rates') }} as rates
        on projects.owning_team = rates.team
    left join {{ ref('int_forecasts_simulated') }} as forecasts
        on forecasts.subject_type = 'project' and projects.project_id = forecasts.subject_id

),

signals as (

    -- each condition of the spec's ordered rules as the text of its reason, null when it does not
    -- hold
    select
        project_id,
        {{ join_present([
            "case when is_project_flagged then 'project flagged' end",
            "case when is_project_blocked_status then 'project in blocked status ' || project_status_name end",
            "case when flagged_open_children > 0 then 'open children flagged: ' || cast(flagged_open_children as varchar) end",
            "case when blocked_open_children > 0 then 'open children in a blocked status: ' || cast(blocked_open_children as varchar) end",
        ]) }} as blocked_reasons,
        {{ join_present([
            "case when due_date is null then 'no due date' end",
            "case when children_total = 0 then 'no children' end",
        ]) }} as unknown_reasons,
        case when is_overdue
            then 'days overdue ' || cast(days_overdue as varchar) || ' > 0' end as overdue_off_track,
        case when p_done_by_due < {{ thresholds.off_track_p_done }}
            then 'P(done by due) ' || cast(round(p_done_by_due, 2) as varchar)
                || ' < {{ thresholds.off_track_p_done }}' end as low_p_done_off_track,
        case when staleness_days > {{ thresholds.off_track_stale_days }}
            then 'days without change ' || cast(staleness_days as varchar)
                || ' > {{ thresholds.off_track_stale_days }}' end as staleness_off_track,
        case when p_done_by_due < {{ thresholds.at_risk_p_done }}
            then 'P(done by due) ' || cast(round(p_done_by_due, 2) as varchar)
                || ' < {{ thresholds.at_risk_p_done }}' end as low_p_done_risk,
        case when schedule_performance < {{ thresholds.at_risk_schedule_performance }}
            then 'schedule performance ' || cast(round(schedule_performance, 2) as varchar)
                || ' < {{ thresholds.at_risk_schedule_performance }}' end
            as low_schedule_performance_risk,
        case when scope_growth > {{ thresholds.at_risk_scope_growth }}
            then 'scope growth ' || cast(round(scope_growth, 2) as varchar)
                || ' > {{ thresholds.at_risk_scope_growth }}' end as scope_growth_risk,
        case when aging_ratio > {{ thresholds.at_risk_aging_ratio }}
            then 'aging ratio ' || cast(round(aging_ratio, 2) as varchar)
                || ' > {{ thresholds.at_risk_aging_ratio }}' end as aging_risk,
        case when staleness_days > {{ thresholds.at_risk_stale_days }}
            then 'days without change ' || cast(staleness_days as varchar)
                || ' > {{ thresholds.at_risk_stale_days }}' end as staleness_risk
    from measures

),

reasons as (

    select
        project_id,
        blocked_reasons,
        unknown_reasons,
        {{ join_present(['overdue_off_track', 'low_p_done_off_track', 'staleness_off_track']) }}
            as off_track_reasons,
        {{ join_present(risk_signals) }} as risk_reasons,
        {% for signal in risk_signals -%}
        case when {{ signal }} is not null then 1 else 0 end{{ ' +' if not loop.last }}
        {% endfor -%}
        as risk_signal_count
    from signals

),

statuses as (

    -- the spec's ordered rules: the first that holds decides
    select
        measures.project_id,
        case
            when measures.is_project_closed then 'done'
            when reasons.blocked_reasons <> '' then 'blocked'
            when reasons.unknown_reasons <> '' then 'unknown'
            when reasons.off_track_reasons <> '' then 'off_track'
            when reasons.risk_signal_count >= 2 then 'at_risk'
            else 'on_track'
        end as delivery_status,
        case
            when measures.is_project_closed then
                case when measures.is_project_cancelled then 'closed as cancelled' else 'closed as done' end
                || coalesce(' (' || measures.project_status_name || ')', '')
            when reasons.blocked_reasons <> '' then reasons.blocked_reasons
            when reasons.unknown_reasons <> '' then reasons.unknown_reasons
            when reasons.off_track_reasons <> '' then reasons.off_track_reasons
            when reasons.risk_signal_count = 0 then 'no risk signal'
            else cast(reasons.risk_signal_count as varchar) || ' of {{ risk_signals | length }} risk signals: '
                || reasons.risk_reasons
        end as delivery_status_reason,
        reasons.risk_signal_count
    from measures
    inner join reasons on measures.project_id = reasons.project_id

),

project_values as (

    select
        measures.project_id,
        measures.owning_team,
        statuses.delivery_status,
        measures.expected_impact,
        measures.person_days_in_history_window,
        -- what the project is expected to have delivered by the quarter's end: all of its value
        -- once done, nothing once cancelled; a binary bet pays only if finished by then, a linear
        -- one in proportion to the work done by then
        case
            when measures.is_project_cancelled then 0
            when measures.is_project_closed then measures.expected_impact
            when measures.success_curve = 'binary'
                then measures.expected_impact * measures.p_done_by_quarter_end
            else measures.expected_impact * measures.expected_fraction_done_by_quarter_end
        end as expected_delivered_value,
        measures.remaining_person_days,
        not measures.is_project_closed and not measures.is_unplanned_project as is_competing,
        case when statuses.delivery_status in ('at_risk', 'off_track')
            then measures.expected_impact * (1 - coalesce(measures.p_done_by_due, 0))
        end as impact_at_stake
    from measures
    inner join statuses on measures.project_id = statuses.project_id

),

per_person_day as (

    select
        project_id,
        owning_team,
        case when remaining_person_days > 0
            then expected_delivered_value / remaining_person_days end as value_per_remaining_person_day,
        case when remaining_person_days > 0
            then expected_impact / remaining_person_days end as impact_per_remaining_person_day
    from project_values
    where is_competing

),

deprioritisation as (

    select
        project_id,
        owning_team,
        row_number() over (
            partition by owning_team order by value_per_remaining_person_day, project_id
        ) as deprioritisation_rank
    from per_person_day
    where value_per_remaining_person_day is not null

),

stakes as (

    select
        project_id,
        owning_team,
        row_number() over (
            partition by owning_team order by impact_at_stake desc, project_id
        ) as stake_rank
    from project_values
    where is_competing and impact_at_stake is not null

),

helped as (

    -- the team's project with the most impact at stake, other than the one giving way
    select
        deprioritisation.project_id,
        stakes.project_id as helps_project_id,
        row_number() over (
            partition by deprioritisation.project_id order by stakes.stake_rank
        ) as help_rank
    from deprioritisation
    inner join stakes
        on deprioritisation.owning_team = stakes.owning_team
        and deprioritisation.project_id <> stakes.project_id

),

team_staffing as (

    select
        owning_team,
        {{ quantile('person_days_in_history_window', 0.5) }} as team_median_person_days
    from project_values
    where is_competing
    group by owning_team

),

acceleration as (

    select
        project_values.project_id,
        row_number() over (
            partition by project_values.owning_team
            order by per_person_day.impact_per_remaining_person_day desc nulls last,
                project_values.project_id
        ) as acceleration_rank
    from project_values
    inner join per_person_day on project_values.project_id = per_person_day.project_id
    inner join team_staffing on project_values.owning_team = team_staffing.owning_team
    where project_values.delivery_status = 'on_track'
        and project_values.person_days_in_history_window < team_staffing.team_median_person_days

),

impact_ranks as (

    -- the open portfolio ordered by expected impact; the core is the shortest head holding half
    select
        project_id,
        row_number() over (order by expected_impact desc, project_id) as impact_rank,
        coalesce(sum(expected_impact) over (
            order by expected_impact desc, project_id
            rows between unbounded preceding and 1 preceding
        ), 0) < 0.5 * sum(expected_impact) over () as is_in_impact_core
    from project_values
    where is_competing and expected_impact is not null

),

final as (

    select
        measures.project_id,
        measures.as_of_date,
        measures.owning_team,
        measures.mission,
        measures.risk_tier,
        measures.success_curve,
        measures.is_unplanned_project,
        measures.children_total,
        measures.children_done,
        measures.children_cancelled,
        measures.children_open,
        measures.children_in_progress,
        measures.pct_complete_by_count,
        measures.pct_complete_by_story_points,
        measures.children_at_first_start,
        measures.scope_growth,
        measures.first_start_date,
        measures.baseline_due_date,
        measures.due_date,
        measures.slip_days,
        measures.days_overdue,
        measures.last_change_at,
        measures.staleness_days,
        measures.is_project_flagged,
        measures.is_project_blocked_status,
        measures.flagged_open_children,
        measures.blocked_open_children,
        measures.aging_ratio,
        measures.pct_time_elapsed,
        measures.schedule_performance,
        measures.p50_finish_date,
        measures.p85_finish_date,
        measures.p95_finish_date,
        measures.p_done_by_due,
        measures.quarter_end_date,
        measures.p_done_by_quarter_end,
        measures.expected_fraction_done_by_quarter_end,
        statuses.delivery_status,
        statuses.delivery_status_reason,
        statuses.risk_signal_count,
        measures.is_project_closed,
        measures.is_project_cancelled,
        measures.expected_impact,
        project_values.expected_delivered_value,
        measures.remaining_person_days,
        per_person_day.value_per_remaining_person_day,
        deprioritisation.deprioritisation_rank,
        helped.helps_project_id,
        measures.person_days_in_history_window,
        team_staffing.team_median_person_days,
        per_person_day.impact_per_remaining_person_day,
        acceleration.project_id is not null as is_acceleration_candidate,
        acceleration.acceleration_rank,
        impact_ranks.impact_rank,
        coalesce(impact_ranks.is_in_impact_core, false) as is_in_impact_core,
        measures.person_days_to_date,
        measures.person_days_this_quarter,
        measures.daily_rate,
        measures.person_days_to_date * measures.daily_rate as investment_to_date,
        measures.person_days_this_quarter * measures.daily_rate as investment_this_quarter,
        case when measures.is_project_cancelled then measures.person_days_to_date else 0 end
            as cancelled_person_days,
        measures.is_project_cancelled and measures.person_days_to_date > 0 as is_cancelled_effort
    from measures
    inner join statuses on measures.project_id = statuses.project_id
    inner join project_values on measures.project_id = project_values.project_id
    left join per_person_day on measures.project_id = per_person_day.project_id
    left join deprioritisation on measures.project_id = deprioritisation.project_id
    left join helped on measures.project_id = helped.project_id and helped.help_rank = 1
    left join team_staffing on measures.owning_team = team_staffing.owning_team
    left join acceleration on measures.project_id = acceleration.project_id
    left join impact_ranks on measures.project_id = impact_ranks.project_id

)

select * from final
