{{ config(**as_of_partitioned()) }}
-- Every broadcast as known on the partition day, with its audience, the recipients listed so
-- far and the recipients count the day before (for the marts' change).
with broadcasts as (
    select * from {{ valid_on_day(ref('stg_chatfuel__broadcasts')) }} as b
),
day_before as (
    select broadcast_id, recipients_count
    from {{ ref('stg_chatfuel__broadcasts') }}
    where valid_from <= {{ dbt.dateadd('day', -1, as_of_date()) }}
        and (valid_to is null or valid_to > {{ dbt.dateadd('day', -1, as_of_date()) }})
),
listed as (
    select broadcast_id, count(distinct user_id) as recipients_listed
    from {{ ref('stg_chatfuel__broadcast_recipients') }}
    where first_listed_on <= {{ as_of_date() }}
    group by broadcast_id
)
select
    {{ as_of_date() }} as as_of_date,
    broadcasts.broadcast_id,
    broadcasts.name,
    broadcasts.kind,
    broadcasts.status,
    broadcasts.scheduled_at,
    broadcasts.sent_on,
    broadcasts.recipients_count,
    day_before.recipients_count as recipients_count_day_before,
    coalesce(listed.recipients_listed, 0) as recipients_listed,
    audience.audience_segment_id,
    audience.audience_segment_name,
    audience.audience,
    broadcasts.template_name,
    broadcasts.created_at
from broadcasts
inner join {{ ref('int_chatfuel__broadcast_audience') }} as audience
    on audience.broadcast_id = broadcasts.broadcast_id and audience.as_of_date = {{ as_of_date() }}
left join day_before on day_before.broadcast_id = broadcasts.broadcast_id
left join listed on listed.broadcast_id = broadcasts.broadcast_id
