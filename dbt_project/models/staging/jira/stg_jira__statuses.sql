with

versions as (

    select
        status_id,
        status_name,
        status_category,
        row_number() over (partition by status_id order by batch_id desc) as version_rank
    from {{ source('jira', 'statuses') }}

),

final as (

    select
        status_id,
        status_name,
        status_category
    from versions
    where version_rank = 1

)

select * from final
