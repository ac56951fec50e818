{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key=['broadcast_id', 'user_id'],
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where "
        ~ "{{ history_rebuilt('first_listed_on', ref('stg_chatfuel__broadcast_recipients')) }}{% endif %}",
) }}
-- Who each broadcast's audience selected: one row per (broadcast, user) with the first pull day
-- that listed them and when that pull ran. Like the history models, a build re-derives every
-- pull day from as_of_start on (their pairs are deleted first): a pair listed before keeps its
-- row, a re-run replaces the pairs first listed on its days, and an older day pulled later
-- moves a pair's first listing earlier.
with pulled as (
    select
        broadcast_id,
        user_id,
        min(pull_day) as first_day,
        {{ first_by('pulled_at', 'pull_day') }} as pulled_at
    from {{ ref('stg_chatfuel__broadcast_recipients') }}
    where {{ history_pulls('pull_day') }}
    group by 1, 2
)
select
    pulled.broadcast_id,
    pulled.user_id,
    pulled.first_day as first_listed_on,
    pulled.pulled_at
from pulled
{% if incremental_branch() -%}
-- Pairs first listed before as_of_start, or on a later day whose raw slice is gone, keep their
-- row unless this build lists them earlier.
left join {{ this }} as known
    on known.broadcast_id = pulled.broadcast_id and known.user_id = pulled.user_id
where known.first_listed_on is null or known.first_listed_on > pulled.first_day
{%- endif %}
