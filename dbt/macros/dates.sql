{#- The Saturday on or before a date (weeks run Saturday to Friday). -#}
{% macro week_start_saturday(date_expr) -%}
    {%- if target.type == 'bigquery' -%}
        date_trunc({{ date_expr }}, week(saturday))
    {%- else -%}
        cast({{ date_expr }} - cast((extract(dow from {{ date_expr }}) + 1) % 7 as integer) as date)
    {%- endif -%}
{%- endmacro %}

{% macro add_days(date_expr, days) -%}
    {%- if target.type == 'bigquery' -%}
        date_add({{ date_expr }}, interval {{ days }} day)
    {%- else -%}
        cast({{ date_expr }} + cast({{ days }} as integer) as date)
    {%- endif -%}
{%- endmacro %}

{#- A join that adds one row per week, `alias`, from `start_expr` to `end_expr` (both Saturdays). -#}
{% macro join_weeks(start_expr, end_expr, alias) -%}
    {%- if target.type == 'bigquery' -%}
        cross join unnest(generate_date_array({{ start_expr }}, {{ end_expr }}, interval 7 day)) as {{ alias }}
    {%- else -%}
        cross join lateral (
            select cast(unnest(generate_series(
                cast({{ start_expr }} as timestamp), cast({{ end_expr }} as timestamp), interval 7 day
            )) as date) as {{ alias }}
        ) as {{ alias }}_series
    {%- endif -%}
{%- endmacro %}
