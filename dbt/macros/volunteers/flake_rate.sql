{#-
  Weekly flake-rate rows as known on the partition day, grouped by region (`event_location_id`)
  and `dims`. future=false: weeks from each group's first week to the current week, the current
  week counted Saturday to the partition day, weeks without sign-ups kept (flake_rate null).
  future=true: events after the partition day, by week (flake_rate null: nothing happened yet).
-#}
{% macro flake_rate_rows(dims=[], future=false) %}
{%- set keys = ['event_location_id'] + dims -%}
with last_status as (
    select *, {{ week_start_saturday('event_date') }} as week_start
    from {{ ref('int_volunteers__signup_last_status') }}
    where as_of_date = {{ as_of_date() }}
      and event_date {{ '>' if future else '<=' }} {{ as_of_date() }}
),

counts as (
    select
        {% for k in keys %}{{ k }}, {% endfor %}
        week_start,
        max(event_location_name) as event_location_name,
        cast(sum(case when status_class = 'no_show' then 1 else 0 end) as {{ dbt.type_bigint() }}) as no_show,
        cast(sum(case when status_class = 'cancelled' then 1 else 0 end) as {{ dbt.type_bigint() }}) as cancelled,
        cast(sum(case when status_class = 'completed' then 1 else 0 end) as {{ dbt.type_bigint() }}) as completed,
        cast(sum(case when status_class = 'scheduled' then 1 else 0 end) as {{ dbt.type_bigint() }}) as scheduled,
        cast(count(distinct event_signup_id) as {{ dbt.type_bigint() }}) as total_signups
    from last_status
    group by {% for k in keys %}{{ k }}, {% endfor %}week_start
),

{% if future %}
weeks as (
    select {% for k in keys %}{{ k }}, {% endfor %}week_start from counts
),
{% else %}
groups as (
    select {% for k in keys %}{{ k }}, {% endfor %}min(week_start) as first_week
    from counts
    group by {% for k in keys %}{{ k }}{% if not loop.last %}, {% endif %}{% endfor %}
),

weeks as (
    select {% for k in keys %}groups.{{ k }}, {% endfor %}week
    from groups
    {{ join_weeks('groups.first_week', week_start_saturday(as_of_date()), 'week') }}
),
{% endif %}

names as (
    select event_location_id, max(event_location_name) as event_location_name
    from counts
    group by event_location_id
)

select
    {{ as_of_date() }} as as_of_date,
    weeks.{{ 'week_start' if future else 'week' }} as week_start,
    {{ add_days('weeks.' ~ ('week_start' if future else 'week'), 6) }} as week_end,
    {% for k in keys %}weeks.{{ k }},
    {% endfor -%}
    names.event_location_name,
    weeks.{{ 'week_start' if future else 'week' }} = {{ week_start_saturday(as_of_date()) }} as current_week,
    coalesce(counts.no_show, 0) as no_show,
    coalesce(counts.cancelled, 0) as cancelled,
    coalesce(counts.completed, 0) as completed,
    coalesce(counts.no_show, 0) + coalesce(counts.cancelled, 0) as total_flakes,
    coalesce(counts.total_signups, 0) as total_signups,
    {% if future -%}
    {#- Nothing has happened yet in a future week: no rate, not 0. -#}
    cast(null as {{ type_double() }}) as flake_rate,
    {%- else -%}
    case
        when coalesce(counts.total_signups, 0) = 0 then null
        else cast(coalesce(counts.no_show, 0) + coalesce(counts.cancelled, 0) as {{ type_double() }})
            / counts.total_signups
    end as flake_rate,
    {%- endif %}
    coalesce(counts.scheduled, 0) as scheduled
from weeks
left join counts
    on {% for k in keys %}counts.{{ k }} = weeks.{{ k }} and {% endfor %}counts.week_start = weeks.{{ 'week_start' if future else 'week' }}
left join names
    on names.event_location_id = weeks.event_location_id
{% endmacro %}
