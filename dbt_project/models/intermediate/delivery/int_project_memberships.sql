{{ config(materialized='table') }}
-- When each issue belonged to each project (spec section 1), rebuilt from the history of parent
-- links so that a project can be looked at as it was on any past day: an issue is a child while
-- its parent is the project's issue, or is itself a child then (sub-task -> story -> epic, any
-- depth). An issue moved to another project closes one stretch and opens another. The history
-- agrees with today's classification by construction; a test checks that it does.
-- UNPLANNED-<team> buckets have no history of their own: their issues belong from creation.
with recursive

projects as (

    select project_id, project_issue_id, is_unplanned_project
    from {{ ref('stg_classification__projects') }}

),

project_issues as (

    select project_id, project_issue_id
    from projects
    where not is_unplanned_project

),

parent_links as (

    -- a project's own issue is never another project's child
    select
        attribute_interval_id,
        issue_id,
        value as parent_issue_id,
        valid_from,
        valid_to
    from {{ ref('int_issue_attribute_intervals') }}
    where attribute = 'parent'
        and value is not null
        and issue_id not in (select project_issue_id from project_issues)

),

linked_stretches as (

    select
        project_issues.project_id,
        parent_links.issue_id,
        parent_links.parent_issue_id,
        parent_links.valid_from,
        parent_links.valid_to,
        1 as depth
    from parent_links
    inner join project_issues on parent_links.parent_issue_id = project_issues.project_issue_id

    union all

    -- a child's children belong while both links hold; the depth bound guards against cycles
    select
        linked_stretches.project_id,
        parent_links.issue_id,
        parent_links.parent_issue_id,
        case when parent_links.valid_from > linked_stretches.valid_from
            then parent_links.valid_from else linked_stretches.valid_from end,
        {{ earlier_end('parent_links.valid_to', 'linked_stretches.valid_to') }},
        linked_stretches.depth + 1
    from parent_links
    inner join linked_stretches
        on parent_links.parent_issue_id = linked_stretches.issue_id
        and (linked_stretches.valid_to is null or parent_links.valid_from < linked_stretches.valid_to)
        and (parent_links.valid_to is null or linked_stretches.valid_from < parent_links.valid_to)
    where linked_stretches.depth < 6

),

bucket_members as (

    select
        classified.project_id,
        issues.issue_id,
        cast(null as varchar) as parent_issue_id,
        issues.created_at as valid_from,
        cast(null as timestamp with time zone) as valid_to,
        0 as depth
    from {{ ref('stg_classification__issues') }} as classified
    inner join projects on classified.project_id = projects.project_id
    inner join {{ ref('stg_jira__issues') }} as issues on classified.issue_id = issues.issue_id
    where projects.is_unplanned_project and not issues.is_deleted

),

stretches as (

    select project_id, issue_id, parent_issue_id, valid_from, valid_to, depth
    from linked_stretches
    where valid_to is null or valid_to > valid_from
    union all
    select project_id, issue_id, parent_issue_id, valid_from, valid_to, depth
    from bucket_members

),

final as (

    select
        project_id || ':' || issue_id || ':' || cast(row_number() over (
            partition by project_id, issue_id order by valid_from
        ) as varchar) as project_membership_id,
        project_id,
        issue_id,
        parent_issue_id,
        depth,
        valid_from,
        valid_to,
        valid_to is null as is_current
    from stretches

)

select * from final
