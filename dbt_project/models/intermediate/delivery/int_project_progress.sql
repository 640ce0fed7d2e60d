{{ config(materialized='table') }}
-- Each project as of the as-of date, from the as-of flow times of its children then (spec
-- section 6): how many are done, cancelled, open and in progress, how many of those in progress
-- are older than their team's 85th percentile cycle time, and whether the project itself is
-- closed. The daily snapshot's as-of day holds the same counts (a test checks it).
with

projects as (

    select projects.project_id, projects.project_issue_id, projects.owning_team
    from {{ ref('stg_classification__projects') }} as projects

),

children as (

    select
        memberships.project_id,
        flow_times.end_flow_state,
        flow_times.is_done,
        flow_times.is_cancelled,
        flow_times.first_active_at is not null
            and flow_times.end_flow_state not in ('done', 'cancelled') as is_in_progress,
        {{ fractional_days_between('flow_times.first_active_at', as_of_end_at()) }} as age_days
    from {{ ref('int_project_memberships') }} as memberships
    inner join {{ ref('int_issue_flow_times') }} as flow_times
        on memberships.issue_id = flow_times.issue_id
    where {{ holds_just_before('memberships', as_of_end_at()) }}

),

per_project as (

    select
        children.project_id,
        count(*) as children_total,
        count(case when children.is_done then 1 end) as children_done,
        count(case when children.is_cancelled then 1 end) as children_cancelled,
        count(case when children.is_in_progress then 1 end) as children_in_progress,
        count(case when children.is_in_progress and children.age_days > rates.p85_cycle_time_days
            then 1 end) as aging_children_in_progress
    from children
    inner join projects on children.project_id = projects.project_id
    left join {{ ref('int_team_delivery_rates') }} as rates on projects.owning_team = rates.team
    group by children.project_id

),

final as (

    select
        projects.project_id,
        coalesce(per_project.children_total, 0) as children_total,
        coalesce(per_project.children_done, 0) as children_done,
        coalesce(per_project.children_cancelled, 0) as children_cancelled,
        coalesce(per_project.children_total - per_project.children_done
            - per_project.children_cancelled, 0) as children_open,
        coalesce(per_project.children_in_progress, 0) as children_in_progress,
        coalesce(per_project.aging_children_in_progress, 0) as aging_children_in_progress,
        case when per_project.children_in_progress > 0
            then 1.0 * per_project.aging_children_in_progress / per_project.children_in_progress
        end as aging_ratio,
        project_flow.end_flow_state as project_flow_state,
        coalesce(project_flow.is_done, false) as is_project_done,
        coalesce(project_flow.is_cancelled, false) as is_project_cancelled,
        project_flow.completed_at as project_completed_at
    from projects
    left join per_project on projects.project_id = per_project.project_id
    left join {{ ref('int_issue_flow_times') }} as project_flow
        on projects.project_issue_id = project_flow.issue_id

)

select * from final
