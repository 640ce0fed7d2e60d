{{ config(materialized='table') }}
-- Every status an issue has been in, with its flow state (spec section 3): an override by status
-- name wins, else the status category decides. Statuses missing from the site's catalogue (seen
-- only in the changelog or on issues: deleted since, or another workflow's) are kept too: unmapped
-- is reported, never dropped.
with

catalogue as (

    select status_id, status_name, status_category
    from {{ ref('stg_jira__statuses') }}

),

status_changes as (

    select from_value, from_string, to_value, to_string, changed_at
    from {{ ref('int_issue_field_changes') }}
    where attribute = 'status'

),

sightings as (

    select
        from_value as status_id,
        from_string as status_name,
        cast(null as varchar) as status_category,
        changed_at as seen_at
    from status_changes
    union all
    select to_value, to_string, null, changed_at from status_changes
    union all
    -- issues report their current status's category: the best guess for an uncatalogued status
    select status_id, status_name, status_category, updated_at from {{ ref('stg_jira__issues') }}

),

uncatalogued_sightings as (

    select sightings.status_id, sightings.status_name, sightings.status_category, sightings.seen_at
    from sightings
    left join catalogue on sightings.status_id = catalogue.status_id
    where sightings.status_id is not null and catalogue.status_id is null

),

ranked_names as (

    -- a renamed status keeps its id: take the name it was last seen with, on an issue if any
    select
        status_id,
        status_name,
        status_category,
        row_number() over (
            partition by status_id
            order by status_name is null, status_category is null, seen_at desc
        ) as name_recency
    from uncatalogued_sightings

),

uncatalogued as (

    select status_id, status_name, status_category
    from ranked_names
    where name_recency = 1

),

statuses as (

    select status_id, status_name, status_category from catalogue
    union all
    select status_id, status_name, status_category from uncatalogued

),

overrides as (

    select lower(trim(status_name)) as status_name_key, flow_state, is_blocked
    from {{ ref('flow_state_overrides') }}

),

final as (

    select
        statuses.status_id,
        statuses.status_name,
        statuses.status_category,
        case
            when overrides.flow_state is not null then overrides.flow_state
            when statuses.status_category = 'new' then 'new'
            when statuses.status_category = 'indeterminate' then 'active'
            when statuses.status_category = 'done' then 'done'
            else 'unmapped'
        end as flow_state,
        coalesce(overrides.is_blocked, false) as is_blocked_status,
        case
            when overrides.flow_state is not null then 'override'
            when statuses.status_category in ('new', 'indeterminate', 'done') then 'category'
            else 'unmapped'
        end as flow_state_source
    from statuses
    left join overrides on lower(trim(statuses.status_name)) = overrides.status_name_key

)

select * from final
