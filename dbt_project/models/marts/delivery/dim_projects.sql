-- One row per portfolio project and per UNPLANNED-<team> bucket (spec section 1): who owns it,
-- what it is classified as and why, and its baseline (first start, first and current due date).
with

projects as (

    select
        project_id,
        project_issue_id,
        is_unplanned_project,
        issue_type,
        summary,
        jira_project_key,
        owning_team,
        owning_team_reason,
        mission,
        mission_deadline,
        mission_reason,
        risk_tier,
        risk_tier_reason,
        success_curve,
        success_curve_reason,
        impact,
        impact_reason,
        p_success,
        p_success_reason,
        issue_count
    from {{ ref('stg_classification__projects') }}

),

final as (

    select
        projects.project_id,
        projects.project_issue_id,
        projects.is_unplanned_project,
        projects.issue_type,
        projects.summary,
        projects.jira_project_key,
        projects.owning_team,
        projects.owning_team_reason,
        projects.mission,
        projects.mission_deadline,
        projects.mission_reason,
        projects.risk_tier,
        projects.risk_tier_reason,
        projects.success_curve,
        projects.success_curve_reason,
        projects.impact,
        projects.impact_reason,
        projects.p_success,
        projects.p_success_reason,
        projects.impact * projects.p_success as expected_impact,
        projects.issue_count,
        baselines.created_at,
        baselines.first_start_date,
        baselines.children_at_first_start,
        baselines.baseline_due_date,
        baselines.current_due_date
    from projects
    inner join {{ ref('int_project_baselines') }} as baselines
        on projects.project_id = baselines.project_id

)

select * from final
