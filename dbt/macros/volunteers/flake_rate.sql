{#- What the flake-rate marts share (no ref inside: each mart passes what it reads). -#}

{#- The status counts of grouped rows of int_volunteers__weekly_signup_counts, added up. -#}
{% macro summed_status_counts() -%}
    cast(sum(no_show) as {{ dbt.type_bigint() }}) as no_show,
    cast(sum(cancelled) as {{ dbt.type_bigint() }}) as cancelled,
    cast(sum(completed) as {{ dbt.type_bigint() }}) as completed,
    cast(sum(scheduled) as {{ dbt.type_bigint() }}) as scheduled,
    cast(sum(total_signups) as {{ dbt.type_bigint() }}) as total_signups
{%- endmacro %}

{#-
  The measures of a past or current week from its `counts` row, which is missing for a week
  without sign-ups: counts 0, flake_rate null. flake_rate = (no shows + cancellations) / sign-ups.
-#}
{% macro flake_rate_measures(counts) -%}
    coalesce({{ counts }}.no_show, 0) as no_show,
    coalesce({{ counts }}.cancelled, 0) as cancelled,
    coalesce({{ counts }}.completed, 0) as completed,
    coalesce({{ counts }}.no_show, 0) + coalesce({{ counts }}.cancelled, 0) as total_flakes,
    coalesce({{ counts }}.total_signups, 0) as total_signups,
    case
        when coalesce({{ counts }}.total_signups, 0) = 0 then null
        else cast({{ counts }}.no_show + {{ counts }}.cancelled as {{ type_double() }})
            / {{ counts }}.total_signups
    end as flake_rate,
    coalesce({{ counts }}.scheduled, 0) as scheduled
{%- endmacro %}

{#-
  The flake-rate weeks of `signup_counts` (int_volunteers__weekly_signup_counts, passed in by
  the mart) at the grain `by` (the region, or the region and the organizer) as known on each
  partition day: every week from the group's first week to the current one (counted Saturday to
  the partition day), a week without sign-ups kept with flake_rate null.
-#}
{% macro flake_rate_weeks(signup_counts, by) -%}
    {%- set groups = by | join(', ') -%}
with counts as (
    select
        as_of_date,
        {{ groups }},
        week_start,
        {{ summed_status_counts() }}
    from {{ signup_counts }}
    where {{ as_of_in_range('as_of_date') }} and not upcoming
    group by as_of_date, {{ groups }}, week_start
),

regions as (
    select as_of_date, event_location_id, max(event_location_name) as event_location_name
    from {{ signup_counts }}
    where {{ as_of_in_range('as_of_date') }} and not upcoming
    group by as_of_date, event_location_id
),

weeks as (
    select first_weeks.as_of_date, {% for g in by %}first_weeks.{{ g }}, {% endfor %}week
    from (
        select as_of_date, {{ groups }}, min(week_start) as first_week
        from counts
        group by as_of_date, {{ groups }}
    ) as first_weeks
    {{ join_weeks('first_weeks.first_week', week_start_saturday('first_weeks.as_of_date'), 'week') }}
)

select
    weeks.as_of_date,
    weeks.week as week_start,
    {{ add_days('weeks.week', 6) }} as week_end,
    {%- for g in by %}
    weeks.{{ g }},
    {%- endfor %}
    regions.event_location_name,
    weeks.week = {{ week_start_saturday('weeks.as_of_date') }} as current_week,
    {{ flake_rate_measures('counts') }}
from weeks
left join counts
    on counts.as_of_date = weeks.as_of_date
    {%- for g in by %}
    and counts.{{ g }} = weeks.{{ g }}
    {%- endfor %}
    and counts.week_start = weeks.week
left join regions
    on regions.as_of_date = weeks.as_of_date and regions.event_location_id = weeks.event_location_id
{%- endmacro %}
