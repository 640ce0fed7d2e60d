{{ newest_version(
    source('jira', 'boards'),
    key='board_id',
    columns=['board_id', 'board_name', 'board_type', 'project_key'],
) }}
