-- How each portfolio project ended, or that it is still open, as of the as-of date: the project
-- issue's own flow state decides (an epic closes when its owner closes it, not when its children
-- happen to be done). UNPLANNED buckets never end and are left out.
with

projects as (

    select
        project_id,
        project_issue_id,
        owning_team,
        mission,
        risk_tier,
        expected_impact,
        current_due_date as due_date
    from {{ ref('dim_projects') }}
    where not is_unplanned_project

),

flow_times as (

    select issue_id, created_at, completed_at, end_flow_state, is_done, is_cancelled
    from {{ ref('int_issue_flow_times') }}

),

setbacks as (

    select
        projects.project_id,
        case when flow_times.is_cancelled then {{ utc_day('flow_times.completed_at') }} end
            as cancelled_on,
        -- "off_track at its due date": being overdue is the first off_track rule, so a project
        -- not completed by the end of its due date was off_track from the next day on
        case
            when projects.due_date
                < coalesce({{ utc_day('flow_times.completed_at') }}, {{ as_of_day() }})
                then cast({{ dbt.dateadd('day', 1, 'projects.due_date') }} as date)
        end as missed_due_date_on
    from projects
    inner join flow_times on projects.project_issue_id = flow_times.issue_id

),

final as (

    select
        projects.project_id,
        projects.project_issue_id,
        projects.owning_team,
        projects.mission,
        projects.risk_tier,
        projects.expected_impact,
        flow_times.created_at,
        flow_times.completed_at,
        flow_times.end_flow_state,
        flow_times.completed_at is null as is_open,
        flow_times.is_done,
        flow_times.is_cancelled,
        projects.due_date,
        -- the first of the two setbacks, when both happened (missed, then cancelled)
        case
            when setbacks.missed_due_date_on
                <= coalesce(setbacks.cancelled_on, setbacks.missed_due_date_on)
                then 'missed_due_date'
            when setbacks.cancelled_on is not null then 'cancelled'
        end as unsuccessful_end,
        case
            when setbacks.missed_due_date_on
                <= coalesce(setbacks.cancelled_on, setbacks.missed_due_date_on)
                then setbacks.missed_due_date_on
            else setbacks.cancelled_on
        end as ended_unsuccessfully_on
    from projects
    inner join flow_times on projects.project_issue_id = flow_times.issue_id
    inner join setbacks on projects.project_id = setbacks.project_id

)

select * from final
