{{ newest_version(
    source('jira', 'statuses'),
    key='status_id',
    columns=['status_id', 'status_name', 'status_category'],
) }}
