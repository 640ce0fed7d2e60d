{{ config(
    materialized='incremental',
    unique_key='issue_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook='{{ drop_deleted_issues() }}',
) }}
-- Who did anything on an issue, and on which days: its creation, any changelog item, any worklog
-- (the day the work was done and the day it was logged). Effort attribution stops crediting an
-- issue idle for too long and counts people from their first to their last activity; flow times
-- report the last activity. Incremental by issue (macros/incremental_by_issue): the worklogs are
-- those of the issue's landed version, so they change only with it.
with

issues as (

    select issue_id, created_at, landed_in_batch_id
    from {{ ref('stg_jira__issues') }}
    where not is_deleted
    {%- if is_incremental() %}
        and issue_id in (
            {{ issues_landed_since_last_build(ref('stg_jira__issues')) | indent(8) }}
            union
            {{ issues_landed_since_last_build(ref('stg_jira__changelog_items')) | indent(8) }}
        )
    {%- endif %}

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
        daily.issue_id || ':' || cast(daily.activity_date as varchar) || ':'
        || coalesce(daily.account_id, '') as issue_activity_day_id,
        daily.issue_id,
        daily.activity_date,
        daily.account_id,
        daily.activity_count,
        daily.last_activity_at,
        issues.landed_in_batch_id
    from daily
    inner join issues on daily.issue_id = issues.issue_id

)

select * from final
