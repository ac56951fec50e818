{{ config(**as_of_partitioned()) }}
-- Sign-ups by region, organizer and week (Saturday to Friday) of their event, counted by their
-- last status as known on each partition day. `upcoming` marks events after that day, so the
-- current week appears twice: its events so far (false) and those still to come (true).
-- A sign-up has one last status, so these counts add up across organizers.
select
    as_of_date,
    event_location_id,
    organizer,
    {{ week_start_saturday('event_date') }} as week_start,
    event_date > as_of_date as upcoming,
    max(event_location_name) as event_location_name,
    cast(sum(case when status_class = 'no_show' then 1 else 0 end) as {{ dbt.type_bigint() }}) as no_show,
    cast(sum(case when status_class = 'cancelled' then 1 else 0 end) as {{ dbt.type_bigint() }}) as cancelled,
    cast(sum(case when status_class = 'completed' then 1 else 0 end) as {{ dbt.type_bigint() }}) as completed,
    cast(sum(case when status_class = 'scheduled' then 1 else 0 end) as {{ dbt.type_bigint() }}) as scheduled,
    cast(count(distinct event_signup_id) as {{ dbt.type_bigint() }}) as total_signups
from {{ ref('int_volunteers__signup_last_status') }}
where {{ as_of_in_range('as_of_date') }}
group by
    as_of_date,
    event_location_id,
    organizer,
    {{ week_start_saturday('event_date') }},
    event_date > as_of_date
