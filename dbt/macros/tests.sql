{#-
  dbt's get_where_subquery with one placeholder: a test whose `where` holds `__as_of_range__`
  (every intermediate and mart test, dbt_project.yml) filters the model to the run's partition
  days with as_of_in_range('as_of_date'), the one spelling of that filter.
-#}
{% macro get_where_subquery(relation) -%}
    {% set where = config.get('where', '') %}
    {% if where %}
        {% set where = where | replace('__as_of_range__', as_of_in_range('as_of_date')) %}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {% do return(filtered) %}
    {%- else -%}
        {% do return(relation) %}
    {%- endif -%}
{%- endmacro %}
