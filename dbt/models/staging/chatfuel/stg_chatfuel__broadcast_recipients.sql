-- The raw `broadcast_recipients` slices as typed columns: who a pull listed in a broadcast's
-- audience, and the pull day.
select
    cast(broadcast_id as string) as broadcast_id,
    cast(user_id as string) as user_id,
    pulled_at,
    dt as pull_day
from {{ source('chatfuel', 'broadcast_recipients') }}
