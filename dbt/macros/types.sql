{#- A 64-bit float on every target (dbt.type_float() is a 32-bit `float` on DuckDB). -#}
{% macro type_double() -%}
    {{ 'float64' if target.type == 'bigquery' else 'double' }}
{%- endmacro %}
