{{ config(materialized='table') }}
-- Every day from the first issue's creation (or an earlier backdated worklog) to the as-of date,
-- with whether it is a working day: weekends and the configured holidays are not (spec section 4).
{%- set holidays = var('holidays') %}

with

first_days as (

    select min({{ utc_day('created_at') }}) as first_day
    from {{ ref('stg_jira__issues') }}
    where not is_deleted
    union all
    select min({{ utc_day('started_at') }})
    from {{ ref('stg_jira__worklogs') }}

),

days as (

    {{ day_spine('(select min(first_day) from first_days)', as_of_day()) | indent(4) }}

),

classified_days as (

    select
        date_day,
        {{ iso_day_of_week('date_day') }} in (6, 7) as is_weekend,
        {% if holidays -%}
        date_day in (
            {%- for holiday in holidays %}
            cast('{{ holiday }}' as date){{ ',' if not loop.last }}
            {%- endfor %}
        )
        {%- else -%}
        false
        {%- endif %} as is_holiday
    from days

),

final as (

    select
        date_day,
        not is_weekend and not is_holiday as is_working_day,
        is_weekend,
        is_holiday,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as quarter_start
    from classified_days

)

select * from final
