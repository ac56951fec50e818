{{ config(**history_config(['broadcast_id', 'filter_id'])) }}
-- The audience filters of the broadcasts: a row when a filter is first pulled (or its
-- definition changed); pulling the same filters again adds nothing.
with pulled as (
    select
        cast(broadcast_id as string) as broadcast_id,
        cast(filter_id as string) as filter_id,
        cast(segment_id as string) as segment_id,
        cast(result_operator as string) as result_operator,
        cast(depth as {{ dbt.type_bigint() }}) as depth,
        cast(attribute as string) as attribute,
        cast(operator as string) as operator,
        cast(comparable_values as string) as comparable_values,
        cast(nested_segment_id as string) as nested_segment_id,
        pulled_at,
        cast(dt as date) as pull_day
    from {{ source('chatfuel', 'user_filters') }}
    where {{ as_of_in_range('dt') }}
)
{{ history_rows('pulled', ['broadcast_id', 'filter_id'],
    ['segment_id', 'result_operator', 'depth', 'attribute', 'operator', 'comparable_values',
     'nested_segment_id'],
    ['pulled_at']) }}
