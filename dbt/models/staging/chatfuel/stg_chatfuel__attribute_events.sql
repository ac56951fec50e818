{{ config(**history_config(['user_id', 'attribute'])) }}
-- Every pulled value change of every attribute of every user: a row when a (user, attribute) is
-- new or its value differs from the latest value known before the pull day, and a row with a
-- null value when a user pulled that day no longer has a value the history still holds (the
-- value was cleared). A value changed and changed back is three rows.
with events as (
    select
        cast(user_id as string) as user_id,
        cast(attribute as string) as attribute,
        cast(value as string) as value,
        cast(value_type as string) as value_type,
        pulled_at
    from {{ source('chatfuel', 'attribute_events') }}
    where dt = {{ as_of_date() }}
),
{% if incremental_branch() %}
held as (
    select user_id, attribute, value
    from (
        select
            user_id, attribute, value,
            row_number() over (partition by user_id, attribute order by valid_from desc) as recency
        from {{ this }}
        where valid_from < {{ as_of_date() }}
    ) as latest
    where recency = 1 and value is not null
),
users_pulled as (
    select cast(user_id as string) as user_id, max(pulled_at) as pulled_at
    from {{ source('chatfuel', 'users') }}
    where dt = {{ as_of_date() }}
    group by 1
),
cleared as (
    select
        held.user_id, held.attribute,
        cast(null as string) as value, cast(null as string) as value_type, users_pulled.pulled_at
    from held
    inner join users_pulled on users_pulled.user_id = held.user_id
    left join events on events.user_id = held.user_id and events.attribute = held.attribute
    where events.user_id is null
),
{% endif %}
pulled as (
    select * from events
    {% if incremental_branch() %}union all select * from cleared{% endif %}
)
{{ history_rows('pulled', ['user_id', 'attribute'], ['value'], ['value_type', 'pulled_at']) }}
