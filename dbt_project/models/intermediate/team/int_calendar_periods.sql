-- The calendar's months and quarters as periods, one grain beside the other, so that every
-- per-team metric is written once and computed for both grains.
with

calendar_days as (

    select date_day, month_start, quarter_start
    from {{ ref('int_calendar_days') }}

),

day_periods as (

    select 'month' as period_grain, month_start as period_start, date_day from calendar_days
    union all
    select 'quarter' as period_grain, quarter_start as period_start, date_day from calendar_days

),

periods as (

    select
        period_grain,
        period_start,
        cast(
            case period_grain
                when 'month' then {{ dbt.dateadd('month', 1, 'period_start') }}
                else {{ dbt.dateadd('month', 3, 'period_start') }}
            end as date
        ) as period_end,
        count(*) as calendar_days
    from day_periods
    group by period_grain, period_start

),

final as (

    select
        period_grain || ':' || cast(period_start as varchar) as period_id,
        period_grain,
        period_start,
        period_end,
        case period_grain
            when 'month' then
                cast(extract(year from period_start) as varchar) || '-'
                || lpad(cast(extract(month from period_start) as varchar), 2, '0')
            else
                cast(extract(year from period_start) as varchar) || '-Q'
                || cast(extract(quarter from period_start) as varchar)
        end as period_label,
        calendar_days,
        -- state "at the end of the period": its end, or the as-of moment while it is running
        least({{ utc_midnight('period_end') }}, {{ as_of_end_at() }}) as snapshot_at,
        {{ utc_midnight('period_end') }} > {{ as_of_end_at() }} as is_current
    from periods

)

select * from final
