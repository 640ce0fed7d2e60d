-- Mission coverage (spec section 7), one row per mission as of the as-of date: its projects, the
-- effort it got lately, the chance it is done by its deadline, and every gap that threatens it,
-- each with the projects behind it (fct_mission_projects holds the project-level checks).
{%- set gap_days = var('mission_gap_days') %}
{%- set off_track_p_done = var('delivery_thresholds')['off_track_p_done'] %}
{%- set gap_kinds = [
    'no_active_project', 'no_recent_effort', 'unowned_project', 'undated_project',
    'forecast_after_deadline',
] %}

with

missions as (

    select mission, deadline
    from {{ ref('dim_missions') }}

),

mission_projects as (

    select
        mission,
        project_id,
        is_mission_project,
        is_open,
        is_on_critical_path,
        is_in_progress,
        is_unowned,
        is_idle,
        is_undated,
        is_forecast_after_deadline
    from {{ ref('fct_mission_projects') }}

),

project_counts as (

    select
        mission,
        count(case when is_mission_project then 1 end) as project_count,
        count(case when is_mission_project and is_open then 1 end) as open_project_count,
        count(case when is_mission_project and is_in_progress then 1 end)
            as in_progress_project_count,
        count(case when is_on_critical_path then 1 end) as critical_path_project_count,
        count(case when is_on_critical_path and not is_mission_project then 1 end)
            as blocking_project_count,
        {{ dbt.listagg(
            "case when is_mission_project then project_id end", "', '", 'order by project_id'
        ) }} as projects,
        {{ dbt.listagg(
            "case when is_on_critical_path then project_id end", "', '", 'order by project_id'
        ) }} as critical_path_projects
    from mission_projects
    group by mission

),

recent_effort as (

    -- the mission's own work: its projects' issues and any issue outside a project it recognises
    select
        classified.mission,
        sum(effort.effort_person_days) as effort_person_days
    from {{ ref('int_person_day_effort') }} as effort
    inner join {{ ref('stg_classification__issues') }} as classified
        on effort.issue_id = classified.issue_id
    where effort.date_day > cast({{ dbt.dateadd('day', -gap_days, as_of_day()) }} as date)
        and classified.mission is not null
    group by classified.mission

),

forecasts as (

    -- trial by trial, the latest finish of the mission's open projects (int_forecasts_simulated)
    select
        subject_id as mission,
        p_done_by_due as p_done_by_deadline,
        p50_finish_date,
        p85_finish_date
    from {{ ref('int_forecasts_simulated') }}
    where subject_type = 'mission'

),

coverage as (

    select
        missions.mission,
        missions.deadline,
        coalesce(project_counts.project_count, 0) as project_count,
        coalesce(project_counts.open_project_count, 0) as open_project_count,
        coalesce(project_counts.in_progress_project_count, 0) as in_progress_project_count,
        coalesce(project_counts.critical_path_project_count, 0) as critical_path_project_count,
        coalesce(project_counts.blocking_project_count, 0) as blocking_project_count,
        project_counts.projects,
        project_counts.critical_path_projects,
        coalesce(recent_effort.effort_person_days, 0) as recent_effort_person_days,
        forecasts.p_done_by_deadline,
        forecasts.p50_finish_date,
        forecasts.p85_finish_date
    from missions
    left join project_counts on missions.mission = project_counts.mission
    left join recent_effort on missions.mission = recent_effort.mission
    left join forecasts on missions.mission = forecasts.mission

),

-- One row per gap found: its kind (one flag column each) and a reason naming the projects
-- behind it.
gaps as (

    select mission, 'no_active_project' as gap_kind, 'no project in progress' as gap_reason
    from coverage
    where in_progress_project_count = 0
    union all
    select mission, 'no_recent_effort', 'no effort in the last {{ gap_days }} days'
    from coverage
    where recent_effort_person_days = 0
    union all
    select
        mission,
        'forecast_after_deadline',
        'P(done by the deadline) ' || cast(round(p_done_by_deadline, 2) as varchar)
            || ' < {{ off_track_p_done }}, median finish '
            || coalesce(cast(p50_finish_date as varchar), 'beyond the forecast horizon')
    from coverage
    where p_done_by_deadline < {{ off_track_p_done }}
    {%- for flag, kind, reason in [
        ('is_idle', 'no_recent_effort',
            'no effort in the last ' ~ gap_days ~ ' days on critical-path project(s) '),
        ('is_unowned', 'unowned_project', 'critical-path project(s) without an owning team: '),
        ('is_undated', 'undated_project', 'critical-path project(s) without a due date: '),
        ('is_forecast_after_deadline', 'forecast_after_deadline',
            'critical-path project(s) with a median forecast after the deadline: '),
    ] %}
    union all
    select
        mission,
        '{{ kind }}',
        '{{ reason }}' || {{ dbt.listagg('project_id', "', '", 'order by project_id') }}
    from mission_projects
    where {{ flag }}
    group by mission
    {%- endfor %}

),

mission_gaps as (

    select
        mission,
        {%- for kind in gap_kinds %}
        {{ dbt.bool_or("gap_kind = '" ~ kind ~ "'") }} as has_{{ kind }},
        {%- endfor %}
        count(distinct gap_kind) as gap_count,
        {{ dbt.listagg('gap_reason', "'; '", 'order by gap_reason') }} as gap_reasons
    from gaps
    group by mission

),

final as (

    select
        coverage.mission,
        coverage.deadline,
        {{ as_of_day() }} as as_of_date,
        {{ dbt.datediff(as_of_day(), 'coverage.deadline', 'day') }} as days_to_deadline,
        coverage.project_count,
        coverage.open_project_count,
        coverage.in_progress_project_count,
        coverage.critical_path_project_count,
        coverage.blocking_project_count,
        coverage.projects,
        coverage.critical_path_projects,
        coverage.recent_effort_person_days,
        coverage.p_done_by_deadline,
        coverage.p50_finish_date,
        coverage.p85_finish_date,
        {%- for kind in gap_kinds %}
        coalesce(mission_gaps.has_{{ kind }}, false) as has_{{ kind }},
        {%- endfor %}
        coalesce(mission_gaps.gap_count, 0) as gap_count,
        coalesce(mission_gaps.gap_count, 0) > 0 as has_gap,
        mission_gaps.gap_reasons
    from coverage
    left join mission_gaps on coverage.mission = mission_gaps.mission

)

select * from final
