{#-
  Config of a history model (slowly changing, type 2): one row per key each time it is new or
  one of its tracked columns changed, with `valid_from` (the pull day that saw it) and
  `valid_to` (the pull day of the key's next row; null while current). Merged on
  (keys, valid_from). The pull day's own rows are deleted first (in the model's transaction on
  DuckDB), so a re-run replaces them and a re-pull that no longer changes anything leaves none.
-#}
{% macro history_config(keys) %}
    {% do return({
        'materialized': 'incremental',
        'incremental_strategy': 'merge',
        'unique_key': keys + ['valid_from'],
        'on_schema_change': 'fail',
        'pre_hook': "{% if is_incremental() %}delete from {{ this }} where valid_from = "
            ~ "date '" ~ var('as_of_date') ~ "'{% endif %}",
    }) %}
{% endmacro %}

{% macro _keys_match(left, right, keys) -%}
    {% for key in keys %}{{ left }}.{{ key }} = {{ right }}.{{ key }}{% if not loop.last %} and {% endif %}{% endfor %}
{%- endmacro %}

{#-
  The rows a history model merges for the pull day, from `pulled` (a CTE with one row per key:
  `keys`, `tracked` and `payload` columns). Compared with the latest row before the pull day:
  a new or changed key gets a row from the pull day (ending where the key's next later row
  starts, if a later day was pulled first); the previous row of a changed key now ends on the
  pull day, and a previous row that a former run of this day had ended is reopened up to the
  next later row.
-#}
{% macro history_rows(pulled, keys, tracked, payload) %}
    {%- set columns = keys + tracked + payload -%}
    {%- set day = as_of_date() -%}
    {% if incremental_branch() %}
    , _earlier as (
        select *, row_number() over (partition by {{ keys | join(', ') }} order by valid_from desc) as _recency
        from {{ this }}
        where valid_from < {{ day }}
    ),
    _previous as (select * from _earlier where _recency = 1),
    _following as (
        select {{ keys | join(', ') }}, min(valid_from) as next_from
        from {{ this }}
        where valid_from > {{ day }}
        group by {{ keys | join(', ') }}
    ),
    _changed as (
        select p.*
        from {{ pulled }} as p
        left join _previous as b on {{ _keys_match('p', 'b', keys) }}
        where b.valid_from is null
        {% for column in tracked %} or p.{{ column }} is distinct from b.{{ column }}{% endfor %}
    ),
    _ends as (
        select
            b.*,
            case when c.{{ keys[0] }} is not null then {{ day }} else f.next_from end as new_valid_to
        from _previous as b
        left join _changed as c on {{ _keys_match('b', 'c', keys) }}
        left join _following as f on {{ _keys_match('b', 'f', keys) }}
    )
    select {% for column in columns %}c.{{ column }}, {% endfor %}{{ day }} as valid_from, f.next_from as valid_to
    from _changed as c
    left join _following as f on {{ _keys_match('c', 'f', keys) }}
    union all
    select {% for column in columns %}{{ column }}, {% endfor %}valid_from, new_valid_to as valid_to
    from _ends
    where new_valid_to is distinct from valid_to
    {% else %}
    select {% for column in columns %}{{ column }}, {% endfor %}{{ day }} as valid_from, cast(null as date) as valid_to
    from {{ pulled }}
    {% endif %}
{% endmacro %}

{#- The rows of history model `relation` that hold on the partition day (point in time). -#}
{% macro valid_on_day(relation) -%}
    (select * from {{ relation }}
     where valid_from <= {{ as_of_date() }} and (valid_to is null or valid_to > {{ as_of_date() }}))
{%- endmacro %}

{#-
  is_incremental(), except when the var leanetl_compile_incremental is true or false: then that,
  without asking the warehouse whether the table exists (the offline BigQuery compile test
  compiles both branches this way).
-#}
{% macro incremental_branch() %}
    {% set forced = var('leanetl_compile_incremental', none) %}
    {% if forced is not none %}{{ return(forced) }}{% endif %}
    {{ return(is_incremental()) }}
{% endmacro %}
