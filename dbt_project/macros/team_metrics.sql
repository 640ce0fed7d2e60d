{#- Building blocks of the per-team metrics (spec section 5), shared by the team models. -#}

{#- The classified risk tiers, in reading order; `unclassified` is kept apart from the mix. -#}
{% macro risk_tiers() -%}
    {{ return(['sure_thing', 'linear_bet', 'moonshot']) }}
{%- endmacro %}

{#- Flow Framework item types, for the flow distribution. -#}
{% macro work_types() -%}
    {{ return(['feature', 'defect', 'risk', 'debt']) }}
{%- endmacro %}

{#- Risk appetite index of a mix: sum over tiers of share x var('tier_scores'); `column_pattern`
    names each tier's share column, e.g. '{}_share' or '{}_target_share'. -#}
{% macro risk_appetite_index(column_pattern) -%}
    {%- set scores = var('tier_scores') -%}
    (
        {%- for tier in risk_tiers() %}
        {{ scores[tier] }} * {{ column_pattern.format(tier) }}{{ ' +' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{#- fct_team_month and fct_team_quarter: one grain of int_team_period_metrics, its period columns
    named for the grain, plus `grain_columns` that only make sense at that grain. -#}
{% macro team_period_mart(grain, grain_columns=[]) -%}
{%- set columns = [
    'is_current', 'calendar_days', 'effort_method', 'total_effort', 'classified_effort',
] -%}
{%- for tier in risk_tiers() + ['unclassified'] -%}
    {%- do columns.append(tier ~ '_effort') -%}
{%- endfor -%}
{%- do columns.append('unplanned_effort') -%}
{%- for tier in risk_tiers() -%}
    {%- do columns.extend([tier ~ '_share', tier ~ '_target_share']) -%}
{%- endfor -%}
{%- do columns.extend([
    'unclassified_share', 'unplanned_share', 'mix_drift', 'risk_appetite_index', 'target_index',
    'posture', 'appetite_z_score',
]) -%}
{%- do columns.extend(grain_columns) -%}
{%- for tier in risk_tiers() -%}
    {%- do columns.append(tier ~ '_guardrail_breach') -%}
{%- endfor -%}
{%- do columns.extend([
    'has_guardrail_breach', 'people', 'capacity_person_days', 'attributed_person_days',
    'attribution_coverage', 'arrived_items', 'completed_items', 'cancelled_items', 'net_flow',
    'throughput_per_week', 'cycle_time_p50_days', 'cycle_time_p85_days', 'lead_time_p50_days',
    'lead_time_p85_days', 'flow_efficiency',
]) -%}
{%- for work_type in work_types() -%}
    {%- do columns.append(work_type ~ '_share_of_completed') -%}
{%- endfor -%}
{%- do columns.extend([
    'wip_items', 'aging_wip_items', 'aging_wip_ratio', 'aging_threshold_days',
]) -%}
with

final as (

    select
        team || '|' || cast(period_start as varchar) as team_{{ grain }}_id,
        team,
        period_start as {{ grain }}_start,
        period_label as {{ grain }}_label,
        {{ columns | join(',\n        ') }}
    from {{ ref('int_team_period_metrics') }}
    where period_grain = '{{ grain }}'

)

select * from final
{%- endmacro %}
