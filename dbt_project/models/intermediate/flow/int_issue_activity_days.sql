{{ config(materialized='table') }}
-- Who did anything on an issue, and on which days: its creation, any changelog item, any worklog
-- (the day the work was done and the day it was logged). Effort attribution stops crediting an
-- issue idle for too long and counts people from their first to their last activity; flow times
-- report the last activity.
with

issues as (

    select issue_id, created_at
    from {{ ref('stg_jira__issues') }}
    where not is_deleted

),

activities as (

    -- the creator is not landed: creation counts for the issue only
    select issue_id, cast(null as varchar) as account_id, created_at as activity_at from issues
    union all
    select items.issue_id, items.author_account_id, items.changed_at
    from {{ ref('stg_jira__changelog_items') }} as items
    inner join issues on items.issue_id = issues.issue_id
    union all
    select worklogs.issue_id, worklogs.author_account_id, worklogs.started_at
    from {{ ref('stg_jira__worklogs') }} as worklogs
    inner join issues on worklogs.issue_id = issues.issue_id
    union all
    select worklogs.issue_id, worklogs.author_account_id, worklogs.created_at
    from {{ ref('stg_jira__worklogs') }} as worklogs
    inner join issues on worklogs.issue_id = issues.issue_id
    where worklogs.created_at is not null

),

daily as (

    select
        issue_id,
        {{ utc_day('activity_at') }} as activity_date,
        account_id,
        count(*) as activity_count,
        max(activity_at) as last_activity_at
    from activities
    group by issue_id, {{ utc_day('activity_at') }}, account_id

),

final as (

    select
        issue_id || ':' || cast(activity_date as varchar) || ':' || coalesce(account_id, '')
            as issue_activity_day_id,
        issue_id,
        activity_date,
        account_id,
        activity_count,
        last_activity_at
    from daily

)

select * from final
