{{ config(**history_config(['broadcast_id'], 'stg_chatfuel__broadcasts')) }}
-- One row per broadcast each time it is new or its metrics or audience changed (status, send
-- time and day, recipients count, audience segment and its name, name).
with pulled as (
    select * from {{ ref('stg_chatfuel__broadcasts') }}
    where {{ history_pulls('pull_day') }}
)
{{ history_rows('pulled', ['broadcast_id'],
    ['name', 'status', 'scheduled_at', 'sent_on', 'recipients_count', 'audience_segment_id',
     'audience_segment_name'],
    ['kind', 'repeat_type', 'audience', 'template_name', 'created_at', 'pulled_at']) }}
