{{ config(**as_of_partitioned()) }}
-- One row per broadcast as known on each partition day: when it went out, to which audience,
-- how many recipients Chatfuel counted and how that changed since the day before, and how many
-- recipients leanetl listed (the audience when pulled, for broadcasts sent 1-7 days before).
select
    as_of_date,
    broadcast_id,
    name,
    kind,
    status,
    scheduled_at,
    sent_on,
    audience_segment_name,
    audience,
    recipients_count,
    recipients_count - recipients_count_day_before as recipients_count_change,
    recipients_listed,
    template_name
from {{ ref('int_chatfuel__broadcast_list') }}
where {{ as_of_in_range('as_of_date') }}
