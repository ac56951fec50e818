-- The raw `user_filters` slices as typed columns, one row per pulled row and its pull day.
select
    cast(broadcast_id as string) as broadcast_id,
    cast(filter_id as string) as filter_id,
    cast(segment_id as string) as segment_id,
    cast(result_operator as string) as result_operator,
    cast(depth as {{ dbt.type_bigint() }}) as depth,
    cast(attribute as string) as attribute,
    cast(operator as string) as operator,
    cast(comparable_values as string) as comparable_values,
    cast(nested_segment_id as string) as nested_segment_id,
    pulled_at,
    dt as pull_day
from {{ source('chatfuel', 'user_filters') }}
