with

final as (

    select
        issue_id,
        issue_key,
        project_id,
        project_reason,
        hierarchy_status,
        owning_team,
        owning_team_reason,
        performing_team,
        performing_team_reason,
        risk_tier,
        risk_tier_reason
    from {{ source('classification', 'classified_issues') }}

)

select * from final
