{#- DuckDB-only syntax lives here, behind names, so the models stay portable across adapters. -#}

{#- One row per calendar quarter start between two timestamps, inclusive, as column `quarter_start`. -#}
{% macro quarter_spine(start_expr, end_expr) -%}
    select cast(quarter_start as date) as quarter_start
    from unnest(generate_series(
        date_trunc('quarter', {{ start_expr }}),
        date_trunc('quarter', {{ end_expr }}),
        interval 3 month
    )) as spine(quarter_start)
{%- endmacro %}

{#- Days between two timestamps as a fraction (dbt.datediff counts whole boundaries only). -#}
{% macro fractional_days_between(start_expr, end_expr) -%}
    (epoch({{ end_expr }}) - epoch({{ start_expr }})) / 86400.0
{%- endmacro %}

{#- One row per day between two dates, inclusive, as column `date_day`. -#}
{% macro day_spine(start_expr, end_expr) -%}
    select {{ unnest_days(start_expr, end_expr) }} as date_day
{%- endmacro %}

{#- The UTC calendar day of a timestamp with time zone, whatever the session's time zone. -#}
{% macro utc_day(timestamp_expr) -%}
    cast(timezone('UTC', {{ timestamp_expr }}) as date)
{%- endmacro %}

{#- Midnight UTC starting a date, as a timestamp with time zone. -#}
{% macro utc_midnight(date_expr) -%}
    timezone('UTC', cast({{ date_expr }} as timestamp))
{%- endmacro %}

{#- ISO day of the week of a date: 1 Monday ... 7 Sunday. -#}
{% macro iso_day_of_week(date_expr) -%}
    isodow({{ date_expr }})
{%- endmacro %}

{#- A delimited string as a list (Jira's Sprint changes: "151, 154"); items keep their spaces. -#}
{% macro split_to_list(string_expr, delimiter=',') -%}
    string_split(coalesce({{ string_expr }}, ''), '{{ delimiter }}')
{%- endmacro %}

{#- One row per element of a list (in a select list). -#}
{% macro unnest_list(list_expr) -%}
    unnest({{ list_expr }})
{%- endmacro %}

{#- A list's elements as text. -#}
{% macro text_list(list_expr) -%}
    cast({{ list_expr }} as varchar[])
{%- endmacro %}

{#- One row per day from a first to a last date, inclusive, in a select list, as a date. On DuckDB
    this is several times cheaper than a range join of the same intervals against a calendar. -#}
{% macro unnest_days(first_day_expr, last_day_expr) -%}
    cast(unnest(generate_series(
        cast({{ first_day_expr }} as date), cast({{ last_day_expr }} as date), interval 1 day
    )) as date)
{%- endmacro %}

{#- Continuous quantile of a numeric expression (an aggregate). dbt has no cross-database
    percentile macro and DuckDB spells it quantile_cont. -#}
{% macro quantile(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}
