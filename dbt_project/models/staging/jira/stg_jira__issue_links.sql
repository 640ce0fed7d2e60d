with

sides as (

    select
        link_id,
        issue_id,
        link_type,
        direction,
        link_verb,
        other_issue_id,
        other_issue_key,
        batch_id,
        -- a link belongs to the newest landed version of the issue it was seen on
        max(batch_id) over (partition by issue_id) as newest_batch_id
    from {{ source('jira', 'issue_links') }}

),

final as (

    select distinct
        link_id || ':' || issue_id || ':' || direction as issue_link_id,
        link_id,
        issue_id,
        link_type,
        direction,
        link_verb,
        other_issue_id,
        other_issue_key
    from sides
    where batch_id = newest_batch_id

)

select * from final
