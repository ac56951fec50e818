{{ config(**as_of_partitioned()) }}
-- flake_rate_weekly (future_week = false), then the weeks of the events after the partition day
-- (future_week = true; the rest of the current week included) with `scheduled`, the sign-ups whose
-- last status is a scheduled one. Nothing has happened yet in those: flake_rate is null, not 0.
with upcoming as (
    select
        as_of_date,
        event_location_id,
        week_start,
        {{ summed_status_counts() }}
    from {{ ref('int_volunteers__weekly_signup_counts') }}
    where {{ as_of_in_range('as_of_date') }} and upcoming
    group by as_of_date, event_location_id, week_start
),

regions as (
    select as_of_date, event_location_id, max(event_location_name) as event_location_name
    from {{ ref('int_volunteers__weekly_signup_counts') }}
    where {{ as_of_in_range('as_of_date') }} and upcoming
    group by as_of_date, event_location_id
)

select weekly.*, false as future_week
from {{ ref('flake_rate_weekly') }} as weekly
where {{ as_of_in_range('weekly.as_of_date') }}

union all

select
    upcoming.as_of_date,
    upcoming.week_start,
    {{ add_days('upcoming.week_start', 6) }} as week_end,
    upcoming.event_location_id,
    regions.event_location_name,
    upcoming.week_start = {{ week_start_saturday('upcoming.as_of_date') }} as current_week,
    upcoming.no_show,
    upcoming.cancelled,
    upcoming.completed,
    upcoming.no_show + upcoming.cancelled as total_flakes,
    upcoming.total_signups,
    cast(null as {{ type_double() }}) as flake_rate,
    upcoming.scheduled,
    true as future_week
from upcoming
left join regions
    on regions.as_of_date = upcoming.as_of_date
    and regions.event_location_id = upcoming.event_location_id
