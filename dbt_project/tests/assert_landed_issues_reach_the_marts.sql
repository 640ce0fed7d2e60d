-- Spec invariant (section 8): row counts reconcile with the raw landing, no issue lost between raw
-- and marts. Every issue id landed is staged (staging keeps its newest version); every one not
-- deleted is classified, and measured in int_issue_flow_times unless created after the as-of
-- moment; every classified project reaches dim_projects and fct_project_health. One row per loss.
with

staged_issues as (

    select issue_id, is_deleted, created_at
    from {{ ref('stg_jira__issues') }}

),

classified_projects as (

    select project_id
    from {{ ref('stg_classification__projects') }}

),

expected as (

    select distinct issue_id as expected_id, 'stg_jira__issues' as expected_in
    from {{ source('jira', 'issues') }}
    union all
    select issue_id, 'stg_classification__issues'
    from staged_issues
    where not is_deleted
    union all
    select issue_id, 'int_issue_flow_times'
    from staged_issues
    where not is_deleted and created_at < {{ as_of_end_at() }}
    union all
    select project_id, 'dim_projects'
    from classified_projects
    union all
    select project_id, 'fct_project_health'
    from classified_projects

),

present as (

    select issue_id as present_id, 'stg_jira__issues' as present_in
    from staged_issues
    union all
    select issue_id, 'stg_classification__issues'
    from {{ ref('stg_classification__issues') }}
    union all
    select issue_id, 'int_issue_flow_times'
    from {{ ref('int_issue_flow_times') }}
    union all
    select project_id, 'dim_projects'
    from {{ ref('dim_projects') }}
    union all
    select project_id, 'fct_project_health'
    from {{ ref('fct_project_health') }}

)

select expected.expected_id as lost_id, expected.expected_in as lost_in
from expected
left join present
    on expected.expected_id = present.present_id
    and expected.expected_in = present.present_in
where present.present_id is null
