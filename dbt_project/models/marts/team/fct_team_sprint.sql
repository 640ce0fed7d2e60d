-- One row per started (active or closed) sprint: what its team committed to when it started, how
-- much of that was done when it ended (say/do), and how much unfinished work moved on to a later
-- sprint.
with

sprints as (

    select
        sprint_id,
        board_id,
        sprint_name,
        state,
        start_at,
        end_at,
        completed_at,
        -- closed sprints end when they were closed; a running one is judged as of now
        coalesce(completed_at, least(end_at, {{ as_of_end_at() }})) as judged_at
    from {{ ref('stg_jira__sprints') }}

),

work_items as (

    -- standard-level issues: Jira's sprint reports count them, not their sub-tasks
    select issues.issue_id, classified.performing_team as team
    from {{ ref('stg_jira__issues') }} as issues
    inner join {{ ref('stg_classification__issues') }} as classified
        on issues.issue_id = classified.issue_id
    where not issues.is_deleted and issues.hierarchy_level = 0

),

memberships as (

    select
        work_items.issue_id,
        work_items.team,
        sprints.sprint_id,
        sprints.board_id,
        intervals.valid_from,
        intervals.valid_to
    from {{ ref('int_issue_attribute_intervals') }} as intervals
    inner join work_items on intervals.issue_id = work_items.issue_id
    inner join sprints on intervals.value = cast(sprints.sprint_id as varchar)
    where intervals.attribute = 'sprint'

),

board_teams as (

    -- a board belongs to the team performing most of the work items ever planned on it
    select board_id, team
    from (
        select
            board_id,
            team,
            row_number() over (
                partition by board_id order by count(distinct issue_id) desc, team
            ) as team_rank
        from memberships
        group by board_id, team
    ) as ranked
    where team_rank = 1

),

committed as (

    select distinct
        sprints.sprint_id,
        sprints.board_id,
        sprints.start_at,
        sprints.judged_at,
        memberships.issue_id
    from sprints
    inner join memberships
        on sprints.sprint_id = memberships.sprint_id
        and memberships.valid_from <= sprints.start_at
        and (memberships.valid_to is null or memberships.valid_to > sprints.start_at)

),

added as (

    select sprints.sprint_id, count(distinct memberships.issue_id) as added_items
    from sprints
    inner join memberships
        on sprints.sprint_id = memberships.sprint_id
        and memberships.valid_from > sprints.start_at
        and memberships.valid_from < sprints.judged_at
    left join committed
        on memberships.sprint_id = committed.sprint_id
        and memberships.issue_id = committed.issue_id
    where committed.issue_id is null
    group by sprints.sprint_id

),

done_at_end as (

    select committed.sprint_id, committed.issue_id
    from committed
    inner join {{ ref('int_issue_status_intervals') }} as statuses
        on committed.issue_id = statuses.issue_id
        and statuses.valid_from <= committed.judged_at
        and (statuses.valid_to is null or statuses.valid_to > committed.judged_at)
    where statuses.flow_state = 'done'

),

carried_over as (

    -- committed, not done at the end, and a member of a later sprint of the same board (one
    -- started after this one, or not started yet) at some moment after this one ended
    select distinct committed.sprint_id, committed.issue_id
    from committed
    inner join memberships as later
        on committed.issue_id = later.issue_id
        and committed.board_id = later.board_id
        and committed.sprint_id <> later.sprint_id
        and (later.valid_to is null or later.valid_to > committed.judged_at)
    inner join sprints as later_sprints
        on later.sprint_id = later_sprints.sprint_id
        and (later_sprints.start_at is null or later_sprints.start_at > committed.start_at)
    left join done_at_end
        on committed.sprint_id = done_at_end.sprint_id
        and committed.issue_id = done_at_end.issue_id
    where done_at_end.issue_id is null

),

sprint_counts as (

    select
        committed.sprint_id,
        count(*) as committed_items,
        count(done_at_end.issue_id) as committed_done_items,
        count(carried_over.issue_id) as carried_over_items
    from committed
    left join done_at_end
        on committed.sprint_id = done_at_end.sprint_id
        and committed.issue_id = done_at_end.issue_id
    left join carried_over
        on committed.sprint_id = carried_over.sprint_id
        and committed.issue_id = carried_over.issue_id
    group by committed.sprint_id

),

final as (

    select
        sprints.sprint_id,
        board_teams.team,
        sprints.board_id,
        boards.board_name,
        sprints.sprint_name,
        sprints.state,
        sprints.start_at,
        sprints.end_at,
        sprints.completed_at,
        sprints.state = 'closed' as is_closed,
        coalesce(sprint_counts.committed_items, 0) as committed_items,
        coalesce(sprint_counts.committed_done_items, 0) as committed_done_items,
        coalesce(added.added_items, 0) as added_items,
        coalesce(sprint_counts.carried_over_items, 0) as carried_over_items,
        case
            when sprint_counts.committed_items > 0
                then sprint_counts.committed_done_items * 1.0 / sprint_counts.committed_items
        end as say_do_ratio,
        case
            when sprints.state = 'closed' and sprint_counts.committed_items > 0
                then sprint_counts.carried_over_items * 1.0 / sprint_counts.committed_items
        end as carry_over_rate
    from sprints
    inner join board_teams on sprints.board_id = board_teams.board_id
    left join {{ ref('stg_jira__boards') }} as boards on sprints.board_id = boards.board_id
    left join sprint_counts on sprints.sprint_id = sprint_counts.sprint_id
    left join added on sprints.sprint_id = added.sprint_id
    where sprints.state in ('active', 'closed')

)

select * from final
