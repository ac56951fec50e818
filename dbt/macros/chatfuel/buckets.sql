{#-
  The bucket a value falls in: `buckets` is a dbt var mapping bucket name -> the values that
  mean it (compared trimmed and case-insensitively); anything else, or no value, is 'none'.
  Bucket names become column names in the marts, so they must be lower-case identifiers.
-#}
{% macro bucket_of(value, buckets) -%}
    case
    {%- for bucket, values in buckets.items() %}
        {%- if not modules.re.fullmatch('[a-z][a-z0-9_]{0,40}', bucket) or bucket == 'none' %}
            {{ exceptions.raise_compiler_error("chatfuel bucket name '" ~ bucket ~ "' must be a lower-case identifier other than 'none'") }}
        {%- endif %}
        when lower(trim({{ value }})) in ({% for v in values %}'{{ v | lower | trim | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor %}) then '{{ bucket }}'
    {%- endfor %}
        else 'none'
    end
{%- endmacro %}

{#- 'none' and the bucket names of a buckets var: the accepted values of a bucket column. -#}
{% macro bucket_names(buckets) -%}
    {% do return(['none'] + (buckets.keys() | list)) %}
{%- endmacro %}
