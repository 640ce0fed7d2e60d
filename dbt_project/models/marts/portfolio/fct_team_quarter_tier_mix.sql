-- How each team's effort in each calendar quarter splits across risk tiers, against the target mix.
{%- set tiers = ['sure_thing', 'linear_bet', 'moonshot'] %}
{%- set targets = var('tier_targets') %}

with

effort as (

    select
        classified.performing_team as team,
        active.quarter_start,
        classified.risk_tier,
        active.active_days,
        active.issue_id
    from {{ ref('int_issue_active_days_quarterly') }} as active
    inner join {{ ref('stg_classification__issues') }} as classified
        on active.issue_id = classified.issue_id

),

by_team_quarter as (

    select
        team,
        quarter_start,
        {%- for tier in tiers %}
        coalesce(sum(case when risk_tier = '{{ tier }}' then active_days end), 0) as {{ tier }}_days,
        {%- endfor %}
        coalesce(sum(case when risk_tier = 'unclassified' then active_days end), 0) as unclassified_days,
        sum(active_days) as total_days,
        count(distinct issue_id) as active_issues
    from effort
    group by team, quarter_start

),

shares as (

    select
        team,
        quarter_start,
        {%- for tier in tiers %}
        {{ tier }}_days,
        {%- endfor %}
        unclassified_days,
        total_days,
        active_issues,
        {% for tier in tiers %}{{ tier }}_days{{ ' + ' if not loop.last }}{% endfor %} as classified_days
    from by_team_quarter

),

final as (

    select
        team || '|' || cast(quarter_start as varchar) as team_quarter_id,
        team,
        quarter_start,
        cast(extract(year from quarter_start) as varchar)
            || '-Q' || cast(extract(quarter from quarter_start) as varchar) as quarter_label,
        'active_issue_days' as effort_method,
        active_issues,
        total_days,
        classified_days,
        {%- for tier in tiers %}
        {{ tier }}_days,
        {%- endfor %}
        unclassified_days,
        {%- for tier in tiers %}
        case when classified_days > 0 then {{ tier }}_days / classified_days end as {{ tier }}_share,
        {{ targets[tier] }} as {{ tier }}_target_share,
        {%- endfor %}
        case when total_days > 0 then unclassified_days / total_days end as unclassified_share,
        case when classified_days > 0 then 0.5 * (
            {%- for tier in tiers %}
            abs({{ tier }}_days / classified_days - {{ targets[tier] }}){{ ' +' if not loop.last }}
            {%- endfor %}
        ) end as mix_drift
    from shares

)

select * from final
