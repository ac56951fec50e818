{{ config(**history_config(['segment_id'], 'stg_chatfuel__segments')) }}
-- One row per segment each time it is new or renamed.
with pulled as (
    select * from {{ ref('stg_chatfuel__segments') }}
    where {{ history_pulls('pull_day') }}
)
{{ history_rows('pulled', ['segment_id'], ['name'], ['result_operator', 'filters', 'nested', 'pulled_at']) }}
