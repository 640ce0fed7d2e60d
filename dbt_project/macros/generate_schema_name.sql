{#- Layers get their own schema (staging, intermediate, marts) instead of dbt's target_schema prefix,
    so analysts query `marts.fct_...` whatever the target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
