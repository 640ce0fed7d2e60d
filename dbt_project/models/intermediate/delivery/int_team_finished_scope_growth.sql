{{ config(materialized='table') }}
-- How much each team's finished projects grew after work began (spec section 6: scope growth =
-- (children now - children at first start) / children at first start): the delivery forecast
-- grows a project's remaining items by one of these per trial. Projects finished as done (not
-- cancelled) as of the as-of date that had children at their first start.
with

final as (

    select
        projects.project_id,
        projects.owning_team as team,
        baselines.children_at_first_start,
        progress.children_total,
        {{ scope_growth('progress.children_total', 'baselines.children_at_first_start') }}
            as scope_growth
    from {{ ref('stg_classification__projects') }} as projects
    inner join {{ ref('int_project_baselines') }} as baselines
        on projects.project_id = baselines.project_id
    inner join {{ ref('int_project_progress') }} as progress
        on projects.project_id = progress.project_id
    where not projects.is_unplanned_project
        and progress.is_project_done
        and baselines.children_at_first_start > 0

)

select * from final
