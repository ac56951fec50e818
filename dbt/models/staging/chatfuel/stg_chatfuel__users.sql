{{ config(**history_config(['user_id'])) }}
-- One row per user each time they are new or their status changed (reachable <-> blocked):
-- names, platform and times are those of the pull that saw the change.
with pulled as (
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
        cast(dt as date) as pull_day
    from {{ source('chatfuel', 'users') }}
    where {{ as_of_in_range('dt') }} and user_id is not null
)
{{ history_rows('pulled', ['user_id'], ['status'],
    ['first_name', 'last_name', 'name', 'platform', 'signed_up_at', 'last_seen_at', 'pulled_at']) }}
