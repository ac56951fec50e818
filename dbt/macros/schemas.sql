{#- Schema (DuckDB) / dataset (BigQuery) = the model's domain folder, plus the branch suffix. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if node.fqn | length > 3 -%}
        {{ node.fqn[2] ~ env_var('LEANETL_DATASET_SUFFIX', '') }}
    {%- elif custom_schema_name -%}
        {{ custom_schema_name ~ env_var('LEANETL_DATASET_SUFFIX', '') }}
    {%- else -%}
        {{ target.schema }}
    {%- endif -%}
{%- endmacro %}
