{#-
  The bucket a value falls in: `buckets` is a dbt var mapping bucket name -> the values that
  mean it (compared by `text_key`: trimmed and case-insensitively); anything else, or no value,
  is 'none'.
  Bucket names become column names in the marts, so they must be lower-case identifiers.
-#}
{% macro bucket_of(value, buckets) -%}
    case
    {%- for bucket, values in buckets.items() %}
        {%- if not modules.re.fullmatch('[a-z][a-z0-9_]{0,40}', bucket) or bucket == 'none' %}
            {{ exceptions.raise_compiler_error("chatfuel bucket name '" ~ bucket ~ "' must be a lower-case identifier other than 'none'") }}
        {%- endif %}
        when {{ text_key(value) }} in ({% for v in values %}'{{ v | lower | trim | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor %}) then '{{ bucket }}'
    {%- endfor %}
        else 'none'
    end
{%- endmacro %}

{#- A value as people's spellings compare: lower case, with these characters removed from both
    ends, the same set on DuckDB and BigQuery: space, tab, line feed, carriage return, no-break
    space, zero-width space / non-joiner / joiner, word joiner, byte-order mark. -#}
{% macro text_key(value) -%}
    lower(trim({{ value }}, {{ trimmed_characters() }}))
{%- endmacro %}

{% macro trimmed_characters() -%}
    {%- set codes = [32, 9, 10, 13, 160, 8203, 8204, 8205, 8288, 65279] -%}
    {%- if target.type == 'bigquery' -%}
        {#- Not a '\u…' literal: the BigQuery emulator reads those escapes as text. -#}
        code_points_to_string([{{ codes | join(', ') }}])
    {%- else -%}
        ({% for c in codes %}chr({{ c }}){{ ' || ' if not loop.last }}{% endfor %})
    {%- endif -%}
{%- endmacro %}

{#- 'none' and the bucket names of a buckets var: the accepted values of a bucket column. -#}
{% macro bucket_names(buckets) -%}
    {% do return(['none'] + (buckets.keys() | list)) %}
{%- endmacro %}
