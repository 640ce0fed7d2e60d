-- Every team the classification knows, with its target mix and the unit its effort is measured in.
with

final as (

    select
        team,
        {%- for tier in risk_tiers() %}
        {{ tier }}_target_share,
        {%- endfor %}
        target_index,
        target_source,
        effort_method
    from {{ ref('int_teams') }}

)

select * from final
