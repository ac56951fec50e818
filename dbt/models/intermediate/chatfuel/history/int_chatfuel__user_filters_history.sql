{{ config(**history_config(['broadcast_id', 'filter_id'], 'stg_chatfuel__user_filters')) }}
-- The audience filters of the broadcasts: a row when a filter is first pulled (or its
-- definition changed); pulling the same filters again adds nothing.
with pulled as (
    select * from {{ ref('stg_chatfuel__user_filters') }}
    where {{ history_pulls('pull_day') }}
)
{{ history_rows('pulled', ['broadcast_id', 'filter_id'],
    ['segment_id', 'result_operator', 'depth', 'attribute', 'operator', 'comparable_values',
     'nested_segment_id'],
    ['pulled_at']) }}
