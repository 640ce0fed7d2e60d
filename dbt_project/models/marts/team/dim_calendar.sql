-- Every day from the first issue's creation to the as-of date, with its working-day flag and the
-- week, month and quarter it falls in.
with

calendar_days as (

    select date_day, is_working_day, week_start, month_start, quarter_start
    from {{ ref('int_calendar_days') }}

),

periods as (

    select period_grain, period_start, period_label
    from {{ ref('int_calendar_periods') }}

),

final as (

    select
        calendar_days.date_day,
        {{ iso_day_of_week('calendar_days.date_day') }} as iso_day_of_week,
        calendar_days.is_working_day,
        calendar_days.week_start,
        calendar_days.month_start,
        months.period_label as month_label,
        calendar_days.quarter_start,
        quarters.period_label as quarter_label,
        cast(extract(year from calendar_days.date_day) as integer) as calendar_year
    from calendar_days
    inner join periods as months
        on months.period_grain = 'month' and calendar_days.month_start = months.period_start
    inner join periods as quarters
        on quarters.period_grain = 'quarter' and calendar_days.quarter_start = quarters.period_start

)

select * from final
