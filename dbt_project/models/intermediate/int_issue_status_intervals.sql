-- Each issue's life as contiguous status intervals, rebuilt from the complete changelog, so that
-- any past moment can be looked at as it was then.
with

issues as (

    select issue_id, created_at, status_id
    from {{ ref('stg_jira__issues') }}

),

status_changes as (

    select
        issue_id,
        changed_at,
        from_value as from_status_id,
        to_value as to_status_id,
        row_number() over (
            partition by issue_id order by changed_at, history_id, item_index
        ) as change_seq
    from {{ ref('stg_jira__changelog_items') }}
    where field_id = 'status' or (field_id is null and field = 'status')

),

initial_status as (

    -- Before the first change an issue sat in that change's `from` status; never changed: current.
    select
        issues.issue_id,
        issues.created_at as valid_from,
        coalesce(first_change.from_status_id, issues.status_id) as status_id,
        0 as change_seq
    from issues
    left join status_changes as first_change
        on issues.issue_id = first_change.issue_id and first_change.change_seq = 1

),

spans as (

    select issue_id, valid_from, status_id, change_seq from initial_status
    union all
    select issue_id, changed_at, to_status_id, change_seq from status_changes

),

bounded as (

    select
        issue_id,
        change_seq,
        status_id,
        valid_from,
        lead(valid_from) over (partition by issue_id order by valid_from, change_seq) as valid_to
    from spans

),

final as (

    select
        bounded.issue_id || ':' || bounded.change_seq as status_interval_id,
        bounded.issue_id,
        bounded.change_seq,
        bounded.status_id,
        statuses.status_name,
        statuses.status_category,
        bounded.valid_from,
        bounded.valid_to,
        bounded.valid_to is null as is_current
    from bounded
    left join {{ ref('stg_jira__statuses') }} as statuses
        on bounded.status_id = statuses.status_id

)

select * from final
