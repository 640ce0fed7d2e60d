-- The newest landed version of every issue, flagged deleted when reconciliation found it gone
-- from Jira after that version landed (batch ids sort by time).
with

newest as (

    {{ newest_version(
        source('jira', 'issues'),
        key='issue_id',
        columns=[
            'issue_id', 'issue_key', 'project_key', 'project_name', 'issue_type',
            'hierarchy_level', 'is_subtask', 'summary', 'status_id', 'status_name',
            'status_category', 'priority', 'labels', 'components', 'assignee_account_id',
            'reporter_account_id', 'created_at', 'updated_at', 'resolved_at', 'resolution',
            'due_date', 'parent_id', 'parent_key', 'epic_link_key', 'story_points', 'team_id',
            'team_name', 'sprint_ids', 'batch_id as landed_in_batch_id',
        ],
        order_by='updated_at desc, batch_id desc',
    ) | indent(4) }}

),

deletions as (

    select issue_id, min(detected_at) as deleted_detected_at, max(batch_id) as deletion_batch_id
    from {{ source('jira', 'deletions') }}
    group by issue_id

),

final as (

    select
        newest.*,
        coalesce(deletions.deletion_batch_id > newest.landed_in_batch_id, false) as is_deleted,
        case
            when deletions.deletion_batch_id > newest.landed_in_batch_id
                then deletions.deleted_detected_at
        end as deleted_detected_at
    from newest
    left join deletions on newest.issue_id = deletions.issue_id

)

select * from final
