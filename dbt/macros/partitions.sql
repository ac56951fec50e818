{#-
  Config of a model that keeps one slice per partition day in `as_of_date` (materialized
  incremental, on_schema_change fail: dbt_project.yml). A build replaces exactly the slices of
  its days (as_of_start .. as_of_end), atomically: on BigQuery a static insert_overwrite of those
  partitions; on DuckDB a delete in the same transaction as the insert (dbt-duckdb runs
  pre-hooks inside the model's transaction).
-#}
{% macro as_of_partitioned() %}
    {% if target.type == 'bigquery' %}
        {% set partitions = [] %}
        {% for day in as_of_days() %}{% do partitions.append("date '" ~ day ~ "'") %}{% endfor %}
        {% do return({
            'incremental_strategy': 'insert_overwrite',
            'partition_by': {'field': 'as_of_date', 'data_type': 'date'},
            'partitions': partitions,
        }) %}
    {% else %}
        {% do return({
            'incremental_strategy': 'append',
            'pre_hook': "{% if is_incremental() %}delete from {{ this }} where "
                ~ as_of_in_range('as_of_date') ~ "{% endif %}",
        }) %}
    {% endif %}
{% endmacro %}

{#-
  The partition days of this build, oldest first: every day from var as_of_start to var
  as_of_end (Dagster passes the run's range; one day for a daily run). At most 3,660 days.
-#}
{% macro as_of_days() %}
    {% set start = modules.datetime.date.fromisoformat(var('as_of_start')) %}
    {% set end = modules.datetime.date.fromisoformat(var('as_of_end')) %}
    {% set count = (end - start).days + 1 %}
    {% if count < 1 or count > 3660 %}
        {% do exceptions.raise_compiler_error(
            "as_of_start " ~ start ~ " .. as_of_end " ~ end ~ ": 1 to 3,660 days expected") %}
    {% endif %}
    {% set days = [] %}
    {% for n in range(count) %}
        {% do days.append((start + modules.datetime.timedelta(days=n)).isoformat()) %}
    {% endfor %}
    {% do return(days) %}
{% endmacro %}

{#- `column` (a date) is one of this build's partition days. -#}
{% macro as_of_in_range(column) -%}
    {{ column }} between date '{{ var("as_of_start") }}' and date '{{ var("as_of_end") }}'
{%- endmacro %}

{#-
  One row per partition day of this build: `as_of_date` and `as_of_cutoff`, the UTC instant its
  local day ends (var as_of_cutoffs_utc, day -> instant, computed by leanetl.lib.calendar so that
  Python and SQL use one rule for time zones and daylight saving).
-#}
{% macro as_of_spine() -%}
    {%- set cutoffs = var('as_of_cutoffs_utc') -%}
    (
    {%- for day in as_of_days() %}
        {%- if day not in cutoffs -%}
            {%- do exceptions.raise_compiler_error("var as_of_cutoffs_utc has no instant for " ~ day) -%}
        {%- endif %}
        select date '{{ day }}' as as_of_date, timestamp '{{ cutoffs[day] }}' as as_of_cutoff
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    )
{%- endmacro %}
