-- Delivered this quarter (spec section 7): every project completed as done (not cancelled), in the
-- quarter it was completed, with its tier, mission and expected impact, so that the successes are
-- read next to the risks.
with

delivered as (

    select
        project_id,
        completed_at,
        {{ utc_day('completed_at') }} as completed_on,
        due_date
    from {{ ref('int_org_project_outcomes') }}
    where is_done

),

final as (

    select
        delivered.project_id,
        projects.summary,
        projects.owning_team,
        calendar.quarter_start,
        calendar.quarter_label,
        delivered.completed_at,
        delivered.completed_on,
        delivered.due_date,
        delivered.completed_on <= delivered.due_date as is_on_time,
        projects.risk_tier,
        projects.success_curve,
        projects.mission,
        projects.impact,
        projects.p_success,
        projects.expected_impact,
        project_effort.person_days_to_date as effort_person_days
    from delivered
    inner join {{ ref('dim_projects') }} as projects
        on delivered.project_id = projects.project_id
    inner join {{ ref('dim_calendar') }} as calendar
        on delivered.completed_on = calendar.date_day
    inner join {{ ref('int_project_effort') }} as project_effort
        on delivered.project_id = project_effort.project_id

)

select * from final
