{{ config(**as_of_partitioned()) }}
-- Last status of every sign-up as known when each partition day ended (point in time): changes
-- recorded later are ignored, so a backfilled day reproduces what the team saw that day. One
-- build computes every day of the run's range, each from the same rule.
with days as {{ as_of_spine() }},

known as (
    select days.as_of_date, signups.*, {{ status_class('signups.status_key') }} as status_class
    from {{ ref('stg_volunteers__event_signups') }} as signups
    inner join days on signups.status_changed_at < days.as_of_cutoff
),

ranked as (
    select
        known.*,
        row_number() over (
            partition by as_of_date, event_signup_id
            order by
                status_changed_at desc,
                {{ status_precedence('status_class') }} desc,
                status_key,
                event_date desc,
                event_id,
                event_location_id,
                organizer,
                van_id
        ) as recency
    from known
)

select
    as_of_date,
    event_signup_id,
    event_id,
    event_date,
    event_location_id,
    event_location_name,
    organizer,
    van_id,
    status,
    status_key,
    status_class,
    status_changed_at
from ranked
where recency = 1
