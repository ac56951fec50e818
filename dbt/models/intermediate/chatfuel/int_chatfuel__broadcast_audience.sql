{{ config(**as_of_partitioned()) }}
-- A readable audience per broadcast as known on each partition day: the segment's current name
-- and its filters (attribute operator values, joined by the segment's AND/OR, nested segments
-- in brackets); a broadcast whose filters were never pulled keeps the audience text of its pull.
with days as {{ as_of_spine() }},
broadcasts as (
    select days.as_of_date, b.*
    from days inner join {{ ref('int_chatfuel__broadcasts_history') }} as b on {{ holds_on('b', 'days.as_of_date') }}
),
filters as (
    select days.as_of_date, f.*
    from days inner join {{ ref('int_chatfuel__user_filters_history') }} as f on {{ holds_on('f', 'days.as_of_date') }}
),
segments as (
    select days.as_of_date, s.*
    from days inner join {{ ref('int_chatfuel__segments_history') }} as s on {{ holds_on('s', 'days.as_of_date') }}
),
conditions as (
    select
        as_of_date,
        broadcast_id,
        segment_id,
        depth,
        filter_id,
        result_operator,
        case
            when nested_segment_id is not null then '[segment ' || nested_segment_id || ']'
            else trim(coalesce(attribute, '') || ' ' || coalesce(operator, '') || ' '
                || replace(replace(replace(coalesce(comparable_values, ''), '[', ''), ']', ''), '"', ''))
        end as condition
    from filters
),
by_segment as (
    select
        as_of_date,
        broadcast_id,
        segment_id,
        min(depth) as depth,
        count(*) as filters,
        case
            when max(result_operator) = 'or'
                then string_agg(condition, ' OR ' order by filter_id)
            else string_agg(condition, ' AND ' order by filter_id)
        end as conditions
    from conditions
    group by as_of_date, broadcast_id, segment_id
),
readable as (
    select
        as_of_date,
        broadcast_id,
        sum(filters) as filters,
        string_agg(conditions, ' | ' order by depth, segment_id) as conditions
    from by_segment
    group by as_of_date, broadcast_id
)
select
    broadcasts.as_of_date,
    broadcasts.broadcast_id,
    broadcasts.audience_segment_id,
    coalesce(segments.name, broadcasts.audience_segment_name) as audience_segment_name,
    case
        when readable.conditions is null then broadcasts.audience
        when coalesce(segments.name, broadcasts.audience_segment_name) is null then readable.conditions
        else coalesce(segments.name, broadcasts.audience_segment_name) || ' (' || readable.conditions || ')'
    end as audience,
    coalesce(readable.filters, 0) as filters
from broadcasts
left join segments
    on segments.as_of_date = broadcasts.as_of_date and segments.segment_id = broadcasts.audience_segment_id
left join readable
    on readable.as_of_date = broadcasts.as_of_date and readable.broadcast_id = broadcasts.broadcast_id
