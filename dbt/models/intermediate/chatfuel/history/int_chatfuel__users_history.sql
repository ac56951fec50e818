{{ config(**history_config(['user_id'], 'stg_chatfuel__users')) }}
-- One row per user each time they are new or their status changed (reachable <-> blocked):
-- names, platform and times are those of the pull that saw the change.
with pulled as (
    select * from {{ ref('stg_chatfuel__users') }}
    where {{ history_pulls('pull_day') }} and user_id is not null
)
{{ history_rows('pulled', ['user_id'], ['status'],
    ['first_name', 'last_name', 'name', 'platform', 'signed_up_at', 'last_seen_at', 'pulled_at']) }}
