{%- set columns = [
    'issue_id', 'issue_key', 'project_key', 'project_name', 'issue_type', 'hierarchy_level',
    'is_subtask', 'summary', 'status_id', 'status_name', 'status_category', 'priority', 'labels',
    'components', 'assignee_account_id', 'reporter_account_id', 'created_at', 'updated_at',
    'resolved_at', 'resolution', 'due_date', 'parent_id', 'parent_key', 'epic_link_key',
    'story_points', 'team_id', 'team_name', 'sprint_ids',
] %}

with

versions as (

    select
        {{ columns | join(',\n        ') }},
        batch_id,
        row_number() over (
            partition by issue_id order by updated_at desc, batch_id desc
        ) as version_rank
    from {{ source('jira', 'issues') }}

),

final as (

    select
        {{ columns | join(',\n        ') }},
        batch_id as landed_in_batch_id
    from versions
    -- every batch that saw an issue holds a version of it: the newest one is the truth
    where version_rank = 1

)

select * from final
