{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key=['broadcast_id', 'user_id'],
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where "
        ~ as_of_in_range('first_listed_on') ~ "{% endif %}",
) }}
-- Who each broadcast's audience selected: one row per (broadcast, user) with the first pull day
-- that listed them (an older day pulled later moves it earlier; a re-run of days replaces the
-- pairs first listed on them) and the latest of those pulls.
with pulled as (
    select
        broadcast_id,
        user_id,
        min(pull_day) as first_day,
        {{ last_by('pulled_at', 'pull_day') }} as pulled_at
    from {{ ref('stg_chatfuel__broadcast_recipients') }}
    where {{ as_of_in_range('pull_day') }}
    group by 1, 2
)
select
    pulled.broadcast_id,
    pulled.user_id,
    {% if incremental_branch() -%}
    least(coalesce(known.first_listed_on, pulled.first_day), pulled.first_day)
    {%- else -%}
    pulled.first_day
    {%- endif %} as first_listed_on,
    pulled.pulled_at
from pulled
{% if incremental_branch() -%}
left join {{ this }} as known
    on known.broadcast_id = pulled.broadcast_id and known.user_id = pulled.user_id
{%- endif %}
