{{ newest_version(
    source('jira', 'worklogs'),
    key='worklog_id',
    columns=[
        'worklog_id', 'issue_id', 'author_account_id', 'started_at', 'time_spent_seconds',
        'time_spent_seconds / 3600.0 as hours_spent', 'created_at', 'updated_at',
    ],
    order_by='updated_at desc, batch_id desc',
) }}
