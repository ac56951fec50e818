{{ config(**as_of_partitioned()) }}
-- One row per partition day: users known that day, reachable and blocked, new users, status
-- changes, and reachable users per engagement and opinion bucket (one column per bucket of the
-- vars chatfuel_engagement_buckets / chatfuel_opinion_buckets, plus _none).
{%- set engagement = bucket_names(var('chatfuel_engagement_buckets')) %}
{%- set opinion = bucket_names(var('chatfuel_opinion_buckets')) %}
with days as {{ as_of_spine() }},
users as (
    select * from {{ ref('int_chatfuel__users_combined') }}
    where {{ as_of_in_range('as_of_date') }}
),
first_pull as (
    select min(valid_from) as first_pulled_on from {{ ref('int_chatfuel__users_history') }}
)
select
    days.as_of_date,
    count(users.user_id) as users,
    count(case when users.status = 'reachable' then 1 end) as reachable,
    count(case when users.status = 'blocked' then 1 end) as blocked,
    count(case when users.first_pulled_on = days.as_of_date
        and first_pull.first_pulled_on < days.as_of_date then 1 end) as new_users,
    count(case when users.status_changed_today and users.status = 'blocked' then 1 end) as became_blocked,
    count(case when users.status_changed_today and users.status = 'reachable' then 1 end) as became_reachable,
    {%- for bucket in engagement %}
    count(case when users.status = 'reachable' and users.engagement_bucket = '{{ bucket }}' then 1 end) as engagement_{{ bucket }},
    {%- endfor %}
    {%- for bucket in opinion %}
    count(case when users.status = 'reachable' and users.opinion_bucket = '{{ bucket }}' then 1 end) as opinion_{{ bucket }}{{ ',' if not loop.last }}
    {%- endfor %}
from days
cross join first_pull
left join users on users.as_of_date = days.as_of_date
group by days.as_of_date
