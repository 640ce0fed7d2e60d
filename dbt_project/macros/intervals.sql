{#- Helpers of the flow and effort models (models/intermediate/flow, effort): the as-of moment,
    day boundaries of intervals, the changelog fields they follow, and their generic tests. -#}

{#- The as-of moment metrics are computed for (var `as_of_date`, null = today): the as-of day,
    and the end of it as a timestamp (the build's current time when no as-of date is set). -#}
{% macro as_of_day() -%}
    {%- if var('as_of_date') -%}
    cast('{{ var("as_of_date") }}' as date)
    {%- else -%}
    cast({{ dbt.current_timestamp() }} as date)
    {%- endif -%}
{%- endmacro %}

{% macro as_of_end_at() -%}
    {%- if var('as_of_date') -%}
    {{ utc_midnight(dbt.dateadd('day', 1, "cast('" ~ var('as_of_date') ~ "' as date)")) }}
    {%- else -%}
    cast({{ dbt.current_timestamp() }} as timestamptz)
    {%- endif -%}
{%- endmacro %}

{#- The last calendar day an interval ending (exclusively) at `end_expr` touches. -#}
{% macro last_day_touched(end_expr) -%}
    {{ utc_day(dbt.dateadd('millisecond', -1, end_expr)) }}
{%- endmacro %}

{#- Generic test: an interval's end (the tested column, null = open) is not before its start. -#}
{% test ends_after_start(model, column_name, start_column) %}
    select *
    from {{ model }}
    where {{ column_name }} < {{ start_column }}
{% endtest %}

{#- Generic test: the column stays within the given bounds (beyond floating-point noise). -#}
{% test in_range(model, column_name, min_value=none, max_value=none) %}
    select *
    from {{ model }}
    where false
        {%- if min_value is not none %} or {{ column_name }} < {{ min_value }} - 1e-9{% endif %}
        {%- if max_value is not none %} or {{ column_name }} > {{ max_value }} + 1e-9{% endif %}
{% endtest %}

{#- Generic test: lists every row whose column holds one of `values` (as warnings, to report). -#}
{% test not_accepted_values(model, column_name, values) %}
    select *
    from {{ model }}
    where {{ column_name }} in (
        {%- for value in values %}'{{ value }}'{{ ',' if not loop.last }}{% endfor -%}
    )
{% endtest %}

{#- The tracked attribute a changelog item changes, else null. System fields are matched by id
    (by name where old Data Center changelogs omit the id), custom fields by name because their
    ids differ per site. Parent changes come as `IssueParentAssociation` or `Parent` (Cloud),
    `Epic Link` or Advanced Roadmaps' `Parent Link` (Data Center). -#}
{% macro changelog_attribute(field_id='field_id', field='field') -%}
    case coalesce({{ field_id }}, lower({{ field }}))
        when 'status' then 'status'
        when 'assignee' then 'assignee'
        when 'duedate' then 'due_date'
        when 'parent' then 'parent'
        else case lower({{ field }})
            when 'issueparentassociation' then 'parent'
            when 'epic link' then 'parent'
            when 'parent link' then 'parent'
            when 'flagged' then 'flagged'
            when 'sprint' then 'sprint'
        end
    end
{%- endmacro %}
