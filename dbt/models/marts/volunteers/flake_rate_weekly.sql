{{ config(**as_of_partitioned()) }}
-- Flake rate by region and week (Saturday to Friday) as known on each partition day:
-- (no shows + cancellations) / sign-ups, each sign-up counted once by its last status. Every week
-- from the region's first to the current one (counted Saturday to the partition day) is listed;
-- a week without sign-ups keeps flake_rate null.
with counts as (
    select
        as_of_date,
        event_location_id,
        week_start,
        {{ summed_status_counts() }}
    from {{ ref('int_volunteers__weekly_signup_counts') }}
    where {{ as_of_in_range('as_of_date') }} and not upcoming
    group by as_of_date, event_location_id, week_start
),

regions as (
    select as_of_date, event_location_id, max(event_location_name) as event_location_name
    from {{ ref('int_volunteers__weekly_signup_counts') }}
    where {{ as_of_in_range('as_of_date') }} and not upcoming
    group by as_of_date, event_location_id
),

weeks as (
    select first_weeks.as_of_date, first_weeks.event_location_id, week
    from (
        select as_of_date, event_location_id, min(week_start) as first_week
        from counts
        group by as_of_date, event_location_id
    ) as first_weeks
    {{ join_weeks('first_weeks.first_week', week_start_saturday('first_weeks.as_of_date'), 'week') }}
)

select
    weeks.as_of_date,
    weeks.week as week_start,
    {{ add_days('weeks.week', 6) }} as week_end,
    weeks.event_location_id,
    regions.event_location_name,
    weeks.week = {{ week_start_saturday('weeks.as_of_date') }} as current_week,
    {{ flake_rate_measures('counts') }}
from weeks
left join counts
    on counts.as_of_date = weeks.as_of_date
    and counts.event_location_id = weeks.event_location_id
    and counts.week_start = weeks.week
left join regions
    on regions.as_of_date = weeks.as_of_date and regions.event_location_id = weeks.event_location_id
