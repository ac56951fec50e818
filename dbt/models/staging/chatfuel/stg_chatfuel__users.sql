-- The raw `users` slices as typed columns, one row per pulled row and its pull day.
select
    cast(user_id as string) as user_id,
    cast(status as string) as status,
    cast(first_name as string) as first_name,
    cast(last_name as string) as last_name,
    cast(name as string) as name,
    cast(platform as string) as platform,
    signed_up as signed_up_at,
    last_seen as last_seen_at,
    pulled_at,
    dt as pull_day
from {{ source('chatfuel', 'users') }}
