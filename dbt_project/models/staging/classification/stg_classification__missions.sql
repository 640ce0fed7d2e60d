with

final as (

    select
        mission,
        deadline,
        mission_order
    from {{ source('classification', 'missions') }}

)

select * from final
