with

final as (

    select
        project_id,
        is_unplanned_project,
        project_issue_id,
        issue_type,
        summary,
        jira_project_key,
        parent_status,
        issue_count,
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
        p_success_reason
    from {{ source('classification', 'classified_projects') }}

)

select * from final
