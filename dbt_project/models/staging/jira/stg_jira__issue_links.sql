-- Links as the newest landed version of each issue shows them: a link removed in Jira is absent
-- from that version, so it is gone here too.
{%- set columns = [
    'link_id', 'issue_id', 'link_type', 'direction', 'link_verb', 'other_issue_id',
    'other_issue_key',
] %}

with

sides as (

    select
        {{ columns | join(',\n        ') }},
        batch_id
    from {{ source('jira', 'issue_links') }}

),

final as (

    select distinct
        sides.link_id || ':' || sides.issue_id || ':' || sides.direction as issue_link_id,
        {% for column in columns -%}
        sides.{{ column }}{{ ',' if not loop.last }}
        {% endfor %}
    from sides
    inner join {{ ref('stg_jira__issues') }} as issues
        on sides.issue_id = issues.issue_id
        and sides.batch_id = issues.landed_in_batch_id

)

select * from final
