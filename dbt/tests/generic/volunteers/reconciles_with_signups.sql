{#-
  The "Events Participation report" check: the sign-ups counted in the model equal the distinct
  sign-ups in the source with an event up to the partition day and a status known by its end.
-#}
{% test reconciles_with_signups(model) %}
with model_total as (
    select coalesce(sum(total_signups), 0) as signups from {{ model }}
),

source_total as (
    select count(distinct cast(event_signup_id as {{ dbt.type_bigint() }})) as signups
    from {{ source('volunteers', 'event_signups') }}
    where cast(status_changed_at as {{ dbt.type_timestamp() }}) < {{ as_of_cutoff() }}
      and cast(event_date as date) <= {{ as_of_date() }}
)

select model_total.signups as model_signups, source_total.signups as source_signups
from model_total cross join source_total
where model_total.signups != source_total.signups
{% endtest %}
