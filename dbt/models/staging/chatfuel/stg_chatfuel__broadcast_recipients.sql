{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key=['broadcast_id', 'user_id'],
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where first_listed_on = "
        ~ "date '" ~ var('as_of_date') ~ "'{% endif %}",
) }}
-- Who each broadcast's audience selected: one row per (broadcast, user) with the first pull day
-- that listed them (an older day pulled later moves it earlier; a re-run of a day replaces the
-- pairs first listed that day).
with pulled as (
    select distinct
        cast(broadcast_id as string) as broadcast_id,
        cast(user_id as string) as user_id,
        pulled_at
    from {{ source('chatfuel', 'broadcast_recipients') }}
    where dt = {{ as_of_date() }}
)
select
    pulled.broadcast_id,
    pulled.user_id,
    {% if incremental_branch() -%}
    least(coalesce(known.first_listed_on, {{ as_of_date() }}), {{ as_of_date() }})
    {%- else -%}
    {{ as_of_date() }}
    {%- endif %} as first_listed_on,
    pulled.pulled_at
from pulled
{% if incremental_branch() -%}
left join {{ this }} as known
    on known.broadcast_id = pulled.broadcast_id and known.user_id = pulled.user_id
{%- endif %}
