{{ config(**as_of_partitioned()) }}
-- The events of each partition day: every attribute value change pulled that day
-- (attribute_changed, or attribute_cleared when the value was removed) and one
-- received_broadcast event per user first listed that day as a recipient of a broadcast.
select
    valid_from as as_of_date,
    user_id,
    case when value is null then 'attribute_cleared' else 'attribute_changed' end as event,
    attribute,
    value,
    value_type,
    pulled_at
from {{ ref('int_chatfuel__attribute_history') }}
where {{ as_of_in_range('valid_from') }}

union all

select
    first_listed_on as as_of_date,
    user_id,
    'received_broadcast' as event,
    'received_broadcast' as attribute,
    broadcast_id as value,
    'string' as value_type,
    pulled_at
from {{ ref('int_chatfuel__recipients_first_listed') }}
where {{ as_of_in_range('first_listed_on') }}
