-- Worklogs as the newest landed version of each issue lists them (every landing of an issue
-- carries its complete worklog list), so a worklog deleted in Jira is gone here too.
with

worklogs as (

    {{ newest_version(
        source('jira', 'worklogs'),
        key='worklog_id, batch_id',
        columns=[
            'worklog_id', 'issue_id', 'author_account_id', 'started_at', 'time_spent_seconds',
            'time_spent_seconds / 3600.0 as hours_spent', 'created_at', 'updated_at', 'batch_id',
        ],
    ) | indent(4) }}

),

final as (

    select
        worklogs.worklog_id,
        worklogs.issue_id,
        worklogs.author_account_id,
        worklogs.started_at,
        worklogs.time_spent_seconds,
        worklogs.hours_spent,
        worklogs.created_at,
        worklogs.updated_at
    from worklogs
    inner join {{ ref('stg_jira__issues') }} as issues
        on worklogs.issue_id = issues.issue_id
        and worklogs.batch_id = issues.landed_in_batch_id

)

select * from final
