-- Effort proxy until person-day attribution lands: days each work item (not epics or initiatives)
-- spent in an in-progress status, split across the calendar quarters it spans.
with

work_items as (

    select issue_id
    from {{ ref('stg_jira__issues') }}
    where hierarchy_level <= 0

),

active_intervals as (

    select
        intervals.issue_id,
        intervals.valid_from,
        coalesce(intervals.valid_to, cast({{ dbt.current_timestamp() }} as timestamptz)) as valid_to
    from {{ ref('int_issue_status_intervals') }} as intervals
    inner join work_items on intervals.issue_id = work_items.issue_id
    where intervals.status_category = 'indeterminate'

),

quarters as (

    {{ quarter_spine(
        '(select min(valid_from) from active_intervals)',
        '(select max(valid_to) from active_intervals)'
    ) }}

),

quarter_overlaps as (

    select
        active_intervals.issue_id,
        quarters.quarter_start,
        greatest(active_intervals.valid_from, cast(quarters.quarter_start as timestamptz)) as overlap_start,
        least(
            active_intervals.valid_to,
            cast({{ dbt.dateadd('month', 3, 'quarters.quarter_start') }} as timestamptz)
        ) as overlap_end
    from active_intervals
    inner join quarters
        on active_intervals.valid_from < cast({{ dbt.dateadd('month', 3, 'quarters.quarter_start') }} as timestamptz)
        and active_intervals.valid_to > cast(quarters.quarter_start as timestamptz)

),

final as (

    select
        issue_id || ':' || cast(quarter_start as varchar) as issue_quarter_id,
        issue_id,
        quarter_start,
        sum({{ fractional_days_between('overlap_start', 'overlap_end') }}) as active_days
    from quarter_overlaps
    group by issue_id, quarter_start

)

select * from final
