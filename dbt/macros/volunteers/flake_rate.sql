{#- Column lists the flake-rate marts share (no ref inside: each mart shows what it reads). -#}

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
