{{ config(**as_of_partitioned()) }}
-- Flake rate by region and week (Saturday to Friday) as known on the partition day:
-- (no shows + cancellations) / sign-ups, each sign-up counted once by its last status. Every week
-- from the region's first to the current one (counted Saturday to the partition day) is listed;
-- a week without sign-ups keeps flake_rate null.
with counts as (
    select
        event_location_id,
        week_start,
        cast(sum(no_show) as {{ dbt.type_bigint() }}) as no_show,
        cast(sum(cancelled) as {{ dbt.type_bigint() }}) as cancelled,
        cast(sum(completed) as {{ dbt.type_bigint() }}) as completed,
        cast(sum(scheduled) as {{ dbt.type_bigint() }}) as scheduled,
        cast(sum(total_signups) as {{ dbt.type_bigint() }}) as total_signups
    from {{ ref('int_volunteers__weekly_signup_counts') }}
    where as_of_date = {{ as_of_date() }} and not upcoming
    group by event_location_id, week_start
),

regions as (
    select event_location_id, max(event_location_name) as event_location_name
    from {{ ref('int_volunteers__weekly_signup_counts') }}
    where as_of_date = {{ as_of_date() }} and not upcoming
    group by event_location_id
),

weeks as (
    select first_weeks.event_location_id, week
    from (
        select event_location_id, min(week_start) as first_week
        from counts
        group by event_location_id
    ) as first_weeks
    {{ join_weeks('first_weeks.first_week', week_start_saturday(as_of_date()), 'week') }}
)

select
    {{ as_of_date() }} as as_of_date,
    weeks.week as week_start,
    {{ add_days('weeks.week', 6) }} as week_end,
    weeks.event_location_id,
    regions.event_location_name,
    weeks.week = {{ week_start_saturday(as_of_date()) }} as current_week,
    coalesce(counts.no_show, 0) as no_show,
    coalesce(counts.cancelled, 0) as cancelled,
    coalesce(counts.completed, 0) as completed,
    coalesce(counts.no_show, 0) + coalesce(counts.cancelled, 0) as total_flakes,
    coalesce(counts.total_signups, 0) as total_signups,
    case
        when coalesce(counts.total_signups, 0) = 0 then null
        else cast(counts.no_show + counts.cancelled as {{ type_double() }}) / counts.total_signups
    end as flake_rate,
    coalesce(counts.scheduled, 0) as scheduled
from weeks
left join counts
    on counts.event_location_id = weeks.event_location_id and counts.week_start = weeks.week
left join regions
    on regions.event_location_id = weeks.event_location_id
