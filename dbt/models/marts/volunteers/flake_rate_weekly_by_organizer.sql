{{ config(**as_of_partitioned()) }}
-- flake_rate_weekly split by organizer: every week from the (region, organizer)'s first week to
-- the current one, weeks without sign-ups kept with flake_rate null.
with counts as (
    select *
    from {{ ref('int_volunteers__weekly_signup_counts') }}
    where {{ as_of_in_range('as_of_date') }} and not upcoming
),

regions as (
    select as_of_date, event_location_id, max(event_location_name) as event_location_name
    from counts
    group by as_of_date, event_location_id
),

weeks as (
    select first_weeks.as_of_date, first_weeks.event_location_id, first_weeks.organizer, week
    from (
        select as_of_date, event_location_id, organizer, min(week_start) as first_week
        from counts
        group by as_of_date, event_location_id, organizer
    ) as first_weeks
    {{ join_weeks('first_weeks.first_week', week_start_saturday('first_weeks.as_of_date'), 'week') }}
)

select
    weeks.as_of_date,
    weeks.week as week_start,
    {{ add_days('weeks.week', 6) }} as week_end,
    weeks.event_location_id,
    weeks.organizer,
    regions.event_location_name,
    weeks.week = {{ week_start_saturday('weeks.as_of_date') }} as current_week,
    {{ flake_rate_measures('counts') }}
from weeks
left join counts
    on counts.as_of_date = weeks.as_of_date
    and counts.event_location_id = weeks.event_location_id
    and counts.organizer = weeks.organizer
    and counts.week_start = weeks.week
left join regions
    on regions.as_of_date = weeks.as_of_date and regions.event_location_id = weeks.event_location_id
