{{ newest_version(
    source('jira', 'users'),
    key='account_id',
    columns=['account_id', 'display_name', 'email', 'active'],
) }}
