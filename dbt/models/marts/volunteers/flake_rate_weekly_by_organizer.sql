{{ config(**as_of_partitioned()) }}
-- flake_rate_weekly split by organizer: every week from the (region, organizer)'s first week to
-- the current one, weeks without sign-ups kept with flake_rate null.
{{ flake_rate_weeks(ref('int_volunteers__weekly_signup_counts'), ['event_location_id', 'organizer']) }}
