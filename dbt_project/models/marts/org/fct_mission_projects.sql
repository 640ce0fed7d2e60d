-- The projects each mission depends on, as of the as-of date, with the project-level gap checks
-- behind fct_mission_coverage. A mission's critical path is every open project of the mission plus
-- every open project outside it that blocks one of them, directly or through a chain of open
-- "Blocks" issue links (an open issue of the blocker blocks an open issue of the blocked project).
{%- set gap_days = var('mission_gap_days') %}

with recursive

missions as (

    select mission, deadline
    from {{ ref('dim_missions') }}

),

projects as (

    select project_id, owning_team, mission, is_open, due_date
    from {{ ref('int_org_project_outcomes') }}

),

open_issues as (

    select flow_times.issue_id, classified.project_id, flow_times.end_flow_state
    from {{ ref('int_issue_flow_times') }} as flow_times
    inner join {{ ref('stg_classification__issues') }} as classified
        on flow_times.issue_id = classified.issue_id
    where flow_times.completed_at is null

),

project_blocks as (

    select distinct
        blockers.project_id as blocker_project_id,
        blocked.project_id as blocked_project_id
    from {{ ref('stg_jira__issue_links') }} as links
    inner join open_issues as blockers on links.issue_id = blockers.issue_id
    inner join open_issues as blocked on links.other_issue_id = blocked.issue_id
    where links.link_type = 'Blocks'
        and links.direction = 'outward'
        and blockers.project_id <> blocked.project_id

),

critical_path (mission, project_id, blocks_project_id) as (

    select projects.mission, projects.project_id, cast(null as varchar)
    from projects
    where projects.mission is not null and projects.is_open
    union
    select critical_path.mission, blockers.project_id, critical_path.project_id
    from critical_path
    inner join project_blocks on critical_path.project_id = project_blocks.blocked_project_id
    inner join projects as blockers
        on project_blocks.blocker_project_id = blockers.project_id
        and blockers.is_open

),

mission_members as (

    -- closed projects of the mission are listed too (not on the critical path)
    select mission, project_id
    from projects
    where mission is not null
    union
    select mission, project_id
    from critical_path

),

critical_path_projects as (

    select
        mission,
        project_id,
        {{ dbt.listagg('distinct blocks_project_id', "', '", 'order by blocks_project_id') }}
            as blocks_projects
    from critical_path
    group by mission, project_id

),

in_progress_projects as (

    -- started and not finished: the project issue or any issue below it is active or waiting
    select distinct project_id
    from open_issues
    where end_flow_state in ('active', 'waiting')

),

recent_effort as (

    select
        classified.project_id,
        sum(effort.effort_person_days) as effort_person_days
    from {{ ref('int_person_day_effort') }} as effort
    inner join {{ ref('stg_classification__issues') }} as classified
        on effort.issue_id = classified.issue_id
    where effort.date_day > cast({{ dbt.dateadd('day', -gap_days, as_of_day()) }} as date)
    group by classified.project_id

),

health as (

    select project_id, delivery_status, p50_finish_date, p85_finish_date, p_done_by_due
    from {{ ref('fct_project_health') }}

),

joined as (

    select
        mission_members.mission,
        mission_members.project_id,
        projects.owning_team,
        coalesce(projects.mission = mission_members.mission, false) as is_mission_project,
        critical_path_projects.blocks_projects,
        projects.is_open,
        critical_path_projects.project_id is not null as is_on_critical_path,
        in_progress_projects.project_id is not null as is_in_progress,
        projects.due_date,
        missions.deadline as mission_deadline,
        health.delivery_status,
        health.p50_finish_date,
        health.p85_finish_date,
        health.p_done_by_due,
        coalesce(recent_effort.effort_person_days, 0) as recent_effort_person_days
    from mission_members
    inner join projects on mission_members.project_id = projects.project_id
    inner join missions on mission_members.mission = missions.mission
    left join health on mission_members.project_id = health.project_id
    left join critical_path_projects
        on mission_members.mission = critical_path_projects.mission
        and mission_members.project_id = critical_path_projects.project_id
    left join in_progress_projects on mission_members.project_id = in_progress_projects.project_id
    left join recent_effort on mission_members.project_id = recent_effort.project_id

),

final as (

    select
        mission || '|' || project_id as mission_project_id,
        mission,
        project_id,
        owning_team,
        is_mission_project,
        blocks_projects,
        is_open,
        is_on_critical_path,
        is_in_progress,
        due_date,
        delivery_status,
        p50_finish_date,
        p85_finish_date,
        p_done_by_due,
        recent_effort_person_days,
        -- the project-level gaps; they only count on the critical path
        is_on_critical_path and coalesce(owning_team, 'unassigned') = 'unassigned' as is_unowned,
        is_on_critical_path and recent_effort_person_days = 0 as is_idle,
        is_on_critical_path and due_date is null as is_undated,
        coalesce(is_on_critical_path and p50_finish_date > mission_deadline, false)
            as is_forecast_after_deadline
    from joined

)

select * from final
