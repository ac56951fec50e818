-- The raw `attribute_events` slices as typed columns, one row per pulled row and its pull day.
select
    cast(user_id as string) as user_id,
    cast(attribute as string) as attribute,
    cast(value as string) as value,
    cast(value_type as string) as value_type,
    pulled_at,
    dt as pull_day
from {{ source('chatfuel', 'attribute_events') }}
