-- The raw `broadcasts` slices as typed columns, one row per pulled row and its pull day.
select
    cast(broadcast_id as string) as broadcast_id,
    cast(name as string) as name,
    cast(status as string) as status,
    scheduled_at,
    sent_on,
    cast(recipients_count as {{ dbt.type_bigint() }}) as recipients_count,
    cast(audience_segment_id as string) as audience_segment_id,
    cast(audience_segment_name as string) as audience_segment_name,
    cast(kind as string) as kind,
    cast(repeat_type as string) as repeat_type,
    cast(audience as string) as audience,
    cast(template_name as string) as template_name,
    created_at,
    pulled_at,
    dt as pull_day
from {{ source('chatfuel', 'broadcasts') }}
