{{ config(**history_config(['segment_id'])) }}
-- One row per segment each time it is new or renamed.
with pulled as (
    select * from {{ ref('stg_chatfuel__segments') }}
    where {{ as_of_in_range('pull_day') }}
)
{{ history_rows('pulled', ['segment_id'], ['name'], ['result_operator', 'filters', 'nested', 'pulled_at']) }}
