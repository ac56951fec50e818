{#-
  Print the MERGE statement dbt runs for an incremental merge model on this target, for the
  model's unique key and the given columns, without a warehouse (the offline BigQuery test parses
  it): dbt run-operation print_merge_sql --args '{model: ..., unique_key: [...], columns: [...]}'.
-#}
{% macro print_merge_sql(model, unique_key, columns) %}
    {% set target_relation = api.Relation.create(
        database=target.database, schema='chatfuel', identifier=model) %}
    {% set temp_relation = api.Relation.create(
        database=target.database, schema='chatfuel', identifier=model ~ '__dbt_tmp') %}
    {% set dest_columns = [] %}
    {% for name in columns %}{% do dest_columns.append(api.Column(name, 'string')) %}{% endfor %}
    {% do print(get_merge_sql(target_relation, temp_relation, unique_key, dest_columns, none)) %}
{% endmacro %}
