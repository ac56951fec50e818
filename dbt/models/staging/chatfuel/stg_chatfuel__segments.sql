{{ config(**history_config(['segment_id'])) }}
-- One row per segment each time it is new or renamed.
with pulled as (
    select
        cast(segment_id as string) as segment_id,
        cast(name as string) as name,
        cast(result_operator as string) as result_operator,
        cast(filters as {{ dbt.type_bigint() }}) as filters,
        nested,
        pulled_at,
        cast(dt as date) as pull_day
    from {{ source('chatfuel', 'segments') }}
    where {{ as_of_in_range('dt') }}
)
{{ history_rows('pulled', ['segment_id'], ['name'], ['result_operator', 'filters', 'nested', 'pulled_at']) }}
