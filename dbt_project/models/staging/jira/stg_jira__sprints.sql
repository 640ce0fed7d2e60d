{{ newest_version(
    source('jira', 'sprints'),
    key='sprint_id',
    columns=[
        'sprint_id', 'board_id', 'sprint_name', 'state', 'goal', 'start_at', 'end_at',
        'completed_at',
    ],
) }}
