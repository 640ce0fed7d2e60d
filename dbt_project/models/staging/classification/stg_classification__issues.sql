with

final as (

    select
        issue_id,
        issue_key,
        project_id,
        project_reason,
        hierarchy_status,
        parent_status,
        owning_team,
        owning_team_reason,
        performing_team,
        performing_team_reason,
        mission,
        mission_reason,
        risk_tier,
        risk_tier_reason,
        success_curve,
        success_curve_reason,
        impact,
        impact_reason,
        p_success,
        p_success_reason,
        work_type,
        work_type_reason,
        is_unplanned,
        is_unplanned_reason
    from {{ source('classification', 'classified_issues') }}

)

select * from final
