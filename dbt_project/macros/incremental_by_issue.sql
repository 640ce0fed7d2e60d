{#- Incremental models keyed by issue (delete+insert on issue_id). Every landing batch re-lands an
    issue's complete history, so an issue landed after the newest batch a model holds is redone
    whole, and no other issue's rows can have changed. The model carries the landing batch of its
    rows as `landed_in_batch_id`. -#}

{#- The issues of `relation` whose `batch_column` is newer than any batch the model holds; every
    issue when the model's table predates that column (with on_schema_change='append_new_columns'
    the first build after an upgrade redoes everything and adds it). -#}
{% macro issues_landed_since_last_build(relation, batch_column='landed_in_batch_id') -%}
    {%- set held = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    select issue_id
    from {{ relation }}
    {%- if 'landed_in_batch_id' in held %}
    where {{ batch_column }} > (select coalesce(max(landed_in_batch_id), '') from {{ this }})
    {%- endif %}
{%- endmacro %}

{#- Post-hook: an issue flagged deleted has no rows left to replace its old ones: drop them. -#}
{% macro drop_deleted_issues() -%}
    delete from {{ this }}
    where issue_id in (select issue_id from {{ ref('stg_jira__issues') }} where is_deleted)
{%- endmacro %}
