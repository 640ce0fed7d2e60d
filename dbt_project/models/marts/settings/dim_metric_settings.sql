-- The thresholds and weights in force for this build (dbt_project.yml's vars after any --vars
-- overrides), so every published number can be read next to the settings that produced it.
{%- set settings = [
    'as_of_date', 'holidays', 'working_hours_per_day', 'attribution_idle_days', 'tier_targets',
    'tier_scores', 'posture_band', 'guardrail_tolerance', 'guardrail_consecutive_months',
    'delivery_thresholds', 'forecast_trials', 'forecast_seed', 'forecast_history_weeks',
    'mission_gap_days', 'predictability_healthy_min', 'daily_rate',
] %}

with

settings as (

    {% for name in settings -%}
    select
        '{{ name }}' as setting_name,
        '{{ tojson(var(name)) | replace("'", "''") }}' as setting_value_json
    {{ 'union all' if not loop.last }}
    {% endfor %}

),

final as (

    select
        setting_name,
        setting_value_json,
        '{{ invocation_id }}' as dbt_invocation_id,
        cast({{ dbt.current_timestamp() }} as timestamp) as built_at
    from settings

)

select * from final
