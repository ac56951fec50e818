{{ config(**as_of_partitioned()) }}
-- Each user's state on the partition day: status, engagement and opinion buckets (from the
-- attributes named by vars chatfuel_engagement_attribute / chatfuel_opinion_attribute, their
-- values mapped by chatfuel_engagement_buckets / chatfuel_opinion_buckets), when they were first
-- pulled and since when their status holds.
with users as (
    select * from {{ valid_on_day(ref('stg_chatfuel__users')) }} as u
),
first_seen as (
    select user_id, min(valid_from) as first_pulled_on, count(*) as status_rows
    from {{ ref('stg_chatfuel__users') }}
    where valid_from <= {{ as_of_date() }}
    group by user_id
),
values_on_day as (
    select user_id, lower(trim(attribute)) as attribute, value
    from {{ valid_on_day(ref('stg_chatfuel__attribute_events')) }} as a
    where lower(trim(attribute)) in (
        lower('{{ var("chatfuel_engagement_attribute") }}'), lower('{{ var("chatfuel_opinion_attribute") }}')
    )
),
engagement as (
    select user_id, max(value) as value from values_on_day
    where attribute = lower('{{ var("chatfuel_engagement_attribute") }}') group by user_id
),
opinion as (
    select user_id, max(value) as value from values_on_day
    where attribute = lower('{{ var("chatfuel_opinion_attribute") }}') group by user_id
)
select
    {{ as_of_date() }} as as_of_date,
    users.user_id,
    users.status,
    users.valid_from as status_since,
    first_seen.first_pulled_on,
    first_seen.status_rows > 1 and users.valid_from = {{ as_of_date() }} as status_changed_today,
    users.signed_up_at,
    users.last_seen_at,
    users.platform,
    {{ bucket_of('engagement.value', var('chatfuel_engagement_buckets')) }} as engagement_bucket,
    {{ bucket_of('opinion.value', var('chatfuel_opinion_buckets')) }} as opinion_bucket
from users
inner join first_seen on first_seen.user_id = users.user_id
left join engagement on engagement.user_id = users.user_id
left join opinion on opinion.user_id = users.user_id
