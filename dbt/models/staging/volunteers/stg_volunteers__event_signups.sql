-- Typed, trimmed sign-up status changes; `status_key` is the status compared case-insensitively.
-- Distinct: the local source keeps one snapshot of the whole history per load day, and a change
-- listed twice is still one change.
select distinct
    cast(event_signup_id as {{ dbt.type_bigint() }}) as event_signup_id,
    cast(event_id as {{ dbt.type_bigint() }}) as event_id,
    cast(event_date as date) as event_date,
    cast(event_location_id as {{ dbt.type_bigint() }}) as event_location_id,
    trim(event_location_name) as event_location_name,
    coalesce(nullif(trim(organizer), ''), 'Unassigned') as organizer,
    cast(van_id as {{ dbt.type_bigint() }}) as van_id,
    trim(status) as status,
    lower(trim(status)) as status_key,
    cast(status_changed_at as {{ dbt.type_timestamp() }}) as status_changed_at
from {{ source('volunteers', 'event_signups') }}
