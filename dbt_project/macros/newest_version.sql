{#- The newest landed version of each `key`: every landing batch that saw a record holds a copy.
    `columns` are select expressions (`expr as name` allowed); the result has those columns. -#}
{% macro newest_version(relation, key, columns, order_by='batch_id desc') -%}
with

versions as (

    select
        {{ columns | join(',\n        ') }},
        row_number() over (partition by {{ key }} order by {{ order_by }}) as version_rank
    from {{ relation }}

),

final as (

    select
        {% for column in columns -%}
        {{ column.split(' as ') | last }}{{ ',' if not loop.last }}
        {% endfor %}
    from versions
    where version_rank = 1

)

select * from final
{%- endmacro %}
