{#-
  The "Events Participation report" check, for every partition day of the build: the sign-ups
  counted in the model equal the distinct sign-ups in the source with an event up to that day and
  a status known by its end.
-#}
{% test reconciles_with_signups(model) %}
with days as {{ as_of_spine() }},

model_total as (
    select as_of_date, sum(total_signups) as signups from {{ model }} group by as_of_date
),

source_total as (
    select days.as_of_date, count(distinct cast(signups.event_signup_id as {{ dbt.type_bigint() }})) as signups
    from days
    inner join {{ source('volunteers', 'event_signups') }} as signups
        on cast(signups.status_changed_at as {{ dbt.type_timestamp() }}) < days.as_of_cutoff
        and cast(signups.event_date as date) <= days.as_of_date
    group by days.as_of_date
)

select
    days.as_of_date,
    coalesce(model_total.signups, 0) as model_signups,
    coalesce(source_total.signups, 0) as source_signups
from days
left join model_total on model_total.as_of_date = days.as_of_date
left join source_total on source_total.as_of_date = days.as_of_date
where coalesce(model_total.signups, 0) != coalesce(source_total.signups, 0)
{% endtest %}
