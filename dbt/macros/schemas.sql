{#- The branch suffix of every schema (DuckDB) / dataset (BigQuery) leanetl writes: the var
    leanetl passes on every run (a branch deployment's `_pr<id>`), else LEANETL_DATASET_SUFFIX.
    dbt renders sources' YAML without project macros: `_sources.yml` repeats this expression. -#}
{% macro dataset_suffix() -%}
    {{- var('leanetl_dataset_suffix', env_var('LEANETL_DATASET_SUFFIX', '')) -}}
{%- endmacro %}

{#- Schema / dataset = the model's domain folder, plus the branch suffix. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if node.fqn | length > 3 -%}
        {{ node.fqn[2] ~ dataset_suffix() }}
    {%- elif custom_schema_name -%}
        {{ custom_schema_name ~ dataset_suffix() }}
    {%- else -%}
        {{ target.schema }}
    {%- endif -%}
{%- endmacro %}
