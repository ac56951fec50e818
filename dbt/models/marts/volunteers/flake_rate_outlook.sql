{{ config(**as_of_partitioned()) }}
-- Past and current weeks exactly as in flake_rate_weekly (future_week = false), then the events
-- after the partition day by week (future_week = true; the rest of the current week included).
-- `scheduled` counts sign-ups whose last status is a scheduled one (default Scheduled, Confirmed).
with past as (
    {{ flake_rate_rows() }}
),

upcoming as (
    {{ flake_rate_rows(future=true) }}
)

select past.*, false as future_week from past
union all
select upcoming.*, true as future_week from upcoming
