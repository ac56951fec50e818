{{ config(**as_of_partitioned()) }}
-- Each user's state on each partition day: status, engagement and opinion buckets (from the
-- attributes named by vars chatfuel_engagement_attribute / chatfuel_opinion_attribute, their
-- values mapped by chatfuel_engagement_buckets / chatfuel_opinion_buckets), when they were first
-- pulled and since when their status holds.
with days as {{ as_of_spine() }},
users as (
    select days.as_of_date, u.*
    from days inner join {{ ref('int_chatfuel__users_history') }} as u on {{ holds_on('u', 'days.as_of_date') }}
),
first_seen as (
    select days.as_of_date, u.user_id, min(u.valid_from) as first_pulled_on, count(*) as status_rows
    from days
    inner join {{ ref('int_chatfuel__users_history') }} as u on u.valid_from <= days.as_of_date
    group by days.as_of_date, u.user_id
),
values_on_day as (
    select days.as_of_date, a.user_id, {{ text_key('a.attribute') }} as attribute, a.value
    from days
    inner join {{ ref('int_chatfuel__attribute_history') }} as a on {{ holds_on('a', 'days.as_of_date') }}
    where {{ text_key('a.attribute') }} in (
        lower('{{ var("chatfuel_engagement_attribute") }}'), lower('{{ var("chatfuel_opinion_attribute") }}')
    )
),
engagement as (
    select as_of_date, user_id, max(value) as value from values_on_day
    where attribute = lower('{{ var("chatfuel_engagement_attribute") }}') group by as_of_date, user_id
),
opinion as (
    select as_of_date, user_id, max(value) as value from values_on_day
    where attribute = lower('{{ var("chatfuel_opinion_attribute") }}') group by as_of_date, user_id
)
select
    users.as_of_date,
    users.user_id,
    users.status,
    users.valid_from as status_since,
    first_seen.first_pulled_on,
    first_seen.status_rows > 1 and users.valid_from = users.as_of_date as status_changed_today,
    users.signed_up_at,
    users.last_seen_at,
    users.platform,
    {{ bucket_of('engagement.value', var('chatfuel_engagement_buckets')) }} as engagement_bucket,
    {{ bucket_of('opinion.value', var('chatfuel_opinion_buckets')) }} as opinion_bucket
from users
inner join first_seen on first_seen.as_of_date = users.as_of_date and first_seen.user_id = users.user_id
left join engagement on engagement.as_of_date = users.as_of_date and engagement.user_id = users.user_id
left join opinion on opinion.as_of_date = users.as_of_date and opinion.user_id = users.user_id
