with

final as (

    select
        team || '|' || risk_tier as team_tier_id,
        team,
        risk_tier,
        target_share,
        target_source
    from {{ source('classification', 'team_tier_targets') }}

)

select * from final
