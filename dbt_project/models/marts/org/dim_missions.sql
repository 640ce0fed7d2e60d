-- Every strategic mission: the rules file's, and any mission classification assigned that the
-- rules file no longer lists (so no classified project points at a missing mission).
with

configured as (

    select
        mission,
        deadline,
        mission_order
    from {{ ref('stg_classification__missions') }}

),

classified_projects as (

    select
        mission,
        max(mission_deadline) as deadline,
        count(*) as project_count,
        {{ dbt.listagg('distinct mission_reason', "', '", 'order by mission_reason') }}
            as recognised_by
    from {{ ref('stg_classification__projects') }}
    where mission is not null
        and not is_unplanned_project
    group by mission

),

-- Issues outside any project are classified on their own and may carry a mission too.
classified_issues as (

    select
        mission,
        count(*) as issue_count
    from {{ ref('stg_classification__issues') }}
    where mission is not null
    group by mission

),

final as (

    select
        coalesce(configured.mission, classified_projects.mission, classified_issues.mission)
            as mission,
        coalesce(configured.deadline, classified_projects.deadline) as deadline,
        configured.mission_order,
        configured.mission is not null as is_configured,
        coalesce(classified_projects.project_count, 0) as project_count,
        coalesce(classified_issues.issue_count, 0) as issue_count,
        classified_projects.recognised_by
    from configured
    full outer join classified_projects
        on configured.mission = classified_projects.mission
    full outer join classified_issues
        on coalesce(configured.mission, classified_projects.mission) = classified_issues.mission

)

select * from final
