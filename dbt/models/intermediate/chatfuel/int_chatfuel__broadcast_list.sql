{{ config(**as_of_partitioned()) }}
-- Every broadcast as known on each partition day, with its audience, the recipients listed so
-- far and the recipients count the day before (for the marts' change).
with days as {{ as_of_spine() }},
broadcasts as (
    select days.as_of_date, b.*
    from days inner join {{ ref('int_chatfuel__broadcasts_history') }} as b on {{ holds_on('b', 'days.as_of_date') }}
),
day_before as (
    select days.as_of_date, b.broadcast_id, b.recipients_count
    from days
    inner join {{ ref('int_chatfuel__broadcasts_history') }} as b
        on {{ holds_on('b', dbt.dateadd('day', -1, 'days.as_of_date')) }}
),
listed as (
    select days.as_of_date, r.broadcast_id, count(distinct r.user_id) as recipients_listed
    from days
    inner join {{ ref('int_chatfuel__recipients_first_listed') }} as r
        on r.first_listed_on <= days.as_of_date
    group by days.as_of_date, r.broadcast_id
)
select
    broadcasts.as_of_date,
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
    on audience.broadcast_id = broadcasts.broadcast_id and audience.as_of_date = broadcasts.as_of_date
left join day_before
    on day_before.as_of_date = broadcasts.as_of_date and day_before.broadcast_id = broadcasts.broadcast_id
left join listed
    on listed.as_of_date = broadcasts.as_of_date and listed.broadcast_id = broadcasts.broadcast_id
