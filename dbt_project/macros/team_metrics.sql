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

{#- Mix drift against the target mix (spec section 5): half the sum over tiers of
    |share - target share|, 0 on target, 1 when disjoint; patterns as in risk_appetite_index. -#}
{% macro mix_drift(share_pattern='{}_share', target_pattern='{}_target_share') -%}
    0.5 * (
        {%- for tier in risk_tiers() %}
        abs({{ share_pattern.format(tier) }} - {{ target_pattern.format(tier) }})
        {{- ' +' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{#- A part's share of a whole that is never negative (effort, days); null when the whole is 0. -#}
{% macro share_of(part, whole) -%}
    case when {{ whole }} > 0 then {{ part }} / {{ whole }} end
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

{#- Generic test (spec section 8): a tier mix adds up to 1 (within 1e-9) in every row, or only
    where `effort_column` is positive (no effort, no shares); a missing share counts as 0. -#}
{% test tier_shares_sum_to_one(model, share_pattern='{}_share', effort_column=none) %}
    select *
    from {{ model }}
    where
        {%- if effort_column %} {{ effort_column }} > 0 and{% endif %} abs(
            {%- for tier in risk_tiers() %}
            coalesce({{ share_pattern.format(tier) }}, 0){{ ' +' if not loop.last }}
            {%- endfor %}
            - 1
        ) > 1e-9
{% endtest %}
