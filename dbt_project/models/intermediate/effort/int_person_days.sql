{{ config(materialized='table') }}
-- Capacity against attributed effort for every person and day they are counted (spec section 4).
-- A person is an account that was ever assigned an issue or logged work; they are counted on
-- every working day from their first to their last activity day (a change or worklog they made on
-- an issue, or a day effort is attributed to them), plus any other day they logged work on.
with

calendar as (

    select date_day, is_working_day
    from {{ ref('int_calendar_days') }}

),

effort as (

    select
        account_id,
        date_day,
        min(method) as method,
        sum(effort_person_days) as attributed_person_days,
        count(*) as issue_count
    from {{ ref('int_person_day_effort') }}
    group by account_id, date_day

),

people as (

    select value as account_id
    from {{ ref('int_issue_attribute_intervals') }}
    where attribute = 'assignee' and value is not null
    union
    select author_account_id
    from {{ ref('stg_jira__worklogs') }}
    where author_account_id is not null

),

activity_days as (

    select account_id, activity_date as date_day
    from {{ ref('int_issue_activity_days') }}
    where account_id is not null
    union all
    select account_id, date_day from effort

),

spans as (

    select
        people.account_id,
        min(activity_days.date_day) as first_day,
        max(activity_days.date_day) as last_day
    from people
    inner join activity_days on people.account_id = activity_days.account_id
    where activity_days.date_day <= {{ as_of_day() }}
    group by people.account_id

),

person_calendar as (

    select spans.account_id, calendar.date_day, calendar.is_working_day
    from spans
    inner join calendar
        on calendar.date_day >= spans.first_day
        and calendar.date_day <= spans.last_day

),

final as (

    select
        person_calendar.account_id || ':' || cast(person_calendar.date_day as varchar)
            as person_day_id,
        person_calendar.account_id,
        person_calendar.date_day,
        person_calendar.is_working_day,
        cast(case when person_calendar.is_working_day then 1 else 0 end as {{ dbt.type_float() }})
            as capacity_person_days,
        coalesce(effort.attributed_person_days, 0) as attributed_person_days,
        coalesce(effort.method, 'unattributed') as method,
        coalesce(effort.issue_count, 0) as issue_count
    from person_calendar
    left join effort
        on person_calendar.account_id = effort.account_id
        and person_calendar.date_day = effort.date_day
    where person_calendar.is_working_day or effort.account_id is not null

)

select * from final
