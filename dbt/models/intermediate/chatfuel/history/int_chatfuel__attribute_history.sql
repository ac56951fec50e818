{{ config(**history_config(['user_id', 'attribute'], 'stg_chatfuel__users')) }}
-- Every pulled value change of every attribute of every user: a row when a (user, attribute) is
-- new or its value differs from the value known before that pull day, and a row with a null
-- value when a user pulled that day no longer has a value the history held (the value was
-- cleared). A value changed and changed back is three rows.
with events as (
    select user_id, attribute, value, value_type, pulled_at, pull_day
    from {{ ref('stg_chatfuel__attribute_events') }}
    where {{ history_pulls('pull_day') }}
),
-- Each user's pull days in the range, and the user's next pull day after each.
user_days as (
    select user_id, pull_day, pulled_at, lead(pull_day) over (partition by user_id order by pull_day) as next_day
    from (
        select user_id, pull_day, max(pulled_at) as pulled_at
        from {{ ref('stg_chatfuel__users') }}
        where {{ history_pulls('pull_day') }} and user_id is not null
        group by 1, 2
    ) as pulls
),
-- Where a value can have been cleared: the user's next pull after a pull that had the value,
-- and (values held before the range) the user's first pull in the range. A value missing
-- there is cleared; missing again later it stays cleared (no new row).
candidates as (
    select events.user_id, events.attribute, user_days.next_day as pull_day
    from events
    inner join user_days on user_days.user_id = events.user_id and user_days.pull_day = events.pull_day
    where user_days.next_day is not null
    {% if incremental_branch() %}
    union all
    select held.user_id, held.attribute, first_pulls.pull_day
    from (
        select user_id, attribute, value
        from (
            select
                user_id, attribute, value,
                row_number() over (partition by user_id, attribute order by valid_from desc) as recency
            from {{ this }}
            where valid_from < date '{{ var("as_of_start") }}'
        ) as latest
        where recency = 1 and value is not null
    ) as held
    inner join (
        select user_id, min(pull_day) as pull_day from user_days group by user_id
    ) as first_pulls on first_pulls.user_id = held.user_id
    {% endif %}
),
cleared as (
    select
        candidates.user_id, candidates.attribute,
        cast(null as string) as value, cast(null as string) as value_type,
        user_days.pulled_at, candidates.pull_day
    from candidates
    inner join user_days
        on user_days.user_id = candidates.user_id and user_days.pull_day = candidates.pull_day
    left join events
        on events.user_id = candidates.user_id
        and events.attribute = candidates.attribute
        and events.pull_day = candidates.pull_day
    where events.user_id is null
),
pulled as (
    select * from events
    union all
    select distinct * from cleared
)
{{ history_rows('pulled', ['user_id', 'attribute'], ['value'], ['value_type', 'pulled_at']) }}
