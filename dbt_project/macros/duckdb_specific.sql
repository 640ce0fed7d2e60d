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
