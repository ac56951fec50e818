-- The raw `segments` slices as typed columns, one row per pulled row and its pull day.
select
    cast(segment_id as string) as segment_id,
    cast(name as string) as name,
    cast(result_operator as string) as result_operator,
    cast(filters as {{ dbt.type_bigint() }}) as filters,
    nested,
    pulled_at,
    dt as pull_day
from {{ source('chatfuel', 'segments') }}
