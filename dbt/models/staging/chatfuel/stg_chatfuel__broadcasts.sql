{{ config(**history_config(['broadcast_id'])) }}
-- One row per broadcast each time it is new or its metrics or audience changed (status, send
-- time and day, recipients count, audience segment and its name, name).
with pulled as (
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
        cast(dt as date) as pull_day
    from {{ source('chatfuel', 'broadcasts') }}
    where {{ as_of_in_range('dt') }}
)
{{ history_rows('pulled', ['broadcast_id'],
    ['name', 'status', 'scheduled_at', 'sent_on', 'recipients_count', 'audience_segment_id',
     'audience_segment_name'],
    ['kind', 'repeat_type', 'audience', 'template_name', 'created_at', 'pulled_at']) }}
