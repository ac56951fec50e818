{#-
  Config of a model that keeps one slice per partition day in `as_of_date` (materialized
  incremental, on_schema_change fail: dbt_project.yml). Re-running a day
  replaces exactly that slice, atomically: on BigQuery a static insert_overwrite of the day's
  partition; on DuckDB a delete in the same transaction as the insert (dbt-duckdb runs pre-hooks
  inside the model's transaction).
-#}
{% macro as_of_partitioned() %}
    {% if target.type == 'bigquery' %}
        {% do return({
            'incremental_strategy': 'insert_overwrite',
            'partition_by': {'field': 'as_of_date', 'data_type': 'date'},
            'partitions': ["date '" ~ var('as_of_date') ~ "'"],
        }) %}
    {% else %}
        {% do return({
            'incremental_strategy': 'append',
            'pre_hook': "{% if is_incremental() %}delete from {{ this }} where as_of_date = "
                ~ "date '" ~ var('as_of_date') ~ "'{% endif %}",
        }) %}
    {% endif %}
{% endmacro %}

{% macro as_of_date() -%}
    date '{{ var("as_of_date") }}'
{%- endmacro %}

{#- The UTC instant the partition's local day ends: status changes at or after it are unknown. -#}
{% macro as_of_cutoff() -%}
    timestamp '{{ var("as_of_cutoff_utc") }}'
{%- endmacro %}
