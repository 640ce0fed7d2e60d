{#- Helpers of the delivery models (spec section 6). -#}

{#- The earlier of two interval ends where null means "still open" (least() would treat a null
    as unknown on some adapters). -#}
{% macro earlier_end(first_end, second_end) -%}
    case
        when {{ first_end }} is null then {{ second_end }}
        when {{ second_end }} is null or {{ first_end }} <= {{ second_end }} then {{ first_end }}
        else {{ second_end }}
    end
{%- endmacro %}

{#- Whether an interval [valid_from, valid_to) holds at the last moment before `moment_expr`
    (valid_to null = still open): the state "as of" the end of a day is the one it ended with. -#}
{% macro holds_just_before(relation_alias, moment_expr) -%}
    {{ relation_alias }}.valid_from < {{ moment_expr }}
    and ({{ relation_alias }}.valid_to is null or {{ relation_alias }}.valid_to >= {{ moment_expr }})
{%- endmacro %}

{#- The blended daily rate of a team (var daily_rate: a default and per-team overrides). -#}
{% macro team_daily_rate(team_expr) -%}
    {%- set rates = var('daily_rate') -%}
    {%- if rates.get('teams') -%}
    case {{ team_expr }}
        {%- for team, rate in rates['teams'].items() %}
        when '{{ team | replace("'", "''") }}' then {{ rate }}
        {%- endfor %}
        else {{ rates.get('default', 1.0) }}
    end
    {%- else -%}
    {{ rates.get('default', 1.0) }}
    {%- endif -%}
{%- endmacro %}

{#- The last day of the calendar quarter holding a date. -#}
{% macro quarter_end_day(date_expr) -%}
    cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 3, dbt.date_trunc('quarter', date_expr))) }} as date)
{%- endmacro %}

{#- Which of the forecast's history weeks a day falls in: 1 for the as-of day and the 6 before it,
    2 for the 7 days before those, ... (weeks end on the as-of day, so none is partial). -#}
{% macro history_week(day_expr) -%}
    cast(floor({{ dbt.datediff(day_expr, as_of_day(), 'day') }} / 7.0) as integer) + 1
{%- endmacro %}

{#- Scope growth (spec section 6): (children now - children at first start) / children at first
    start; null before the first start or when nothing was there to grow from. -#}
{% macro scope_growth(children_now, children_at_first_start) -%}
    case when {{ children_at_first_start }} > 0
        then 1.0 * ({{ children_now }} - {{ children_at_first_start }}) / {{ children_at_first_start }}
    end
{%- endmacro %}

{#- The given text expressions that are not null, joined by `separator` (a reason listing only the
    conditions that hold). -#}
{% macro join_present(parts, separator='; ') -%}
    concat_ws('{{ separator }}', {{ parts | join(', ') }})
{%- endmacro %}

{#- Generic test on int_project_memberships: today's memberships rebuilt from the parent links'
    history are exactly today's classification of issues into projects (buckets aside). -#}
{% test matches_classification(model) %}
    with

    rebuilt as (
        select project_id, issue_id
        from {{ model }}
        where is_current and depth > 0
    ),

    classified as (
        select classified.project_id, classified.issue_id
        from {{ ref('stg_classification__issues') }} as classified
        inner join {{ ref('stg_classification__projects') }} as projects
            on classified.project_id = projects.project_id
        inner join {{ ref('stg_jira__issues') }} as issues
            on classified.issue_id = issues.issue_id
        where not projects.is_unplanned_project
            and classified.issue_id <> projects.project_issue_id
            and not issues.is_deleted
    )

    select coalesce(rebuilt.project_id, classified.project_id) as project_id,
        coalesce(rebuilt.issue_id, classified.issue_id) as issue_id,
        rebuilt.project_id is null as missing_from_history
    from rebuilt
    full outer join classified
        on rebuilt.project_id = classified.project_id and rebuilt.issue_id = classified.issue_id
    where rebuilt.project_id is null or classified.project_id is null
{% endtest %}
