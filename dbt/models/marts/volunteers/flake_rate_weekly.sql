{{ config(**as_of_partitioned()) }}
-- Flake rate by region and week (Saturday to Friday) as known on each partition day:
-- (no shows + cancellations) / sign-ups, each sign-up counted once by its last status. Every week
-- from the region's first to the current one (counted Saturday to the partition day) is listed;
-- a week without sign-ups keeps flake_rate null.
{{ flake_rate_weeks(ref('int_volunteers__weekly_signup_counts'), ['event_location_id']) }}
