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
        'pre_hook': "{% if is_incremental() %}delete from {{ this }} where "
            ~ as_of_in_range('valid_from') ~ "{% endif %}",
    }) %}
{% endmacro %}

{% macro _keys_match(left, right, keys) -%}
    {% for key in keys %}{{ left }}.{{ key }} = {{ right }}.{{ key }}{% if not loop.last %} and {% endif %}{% endfor %}
{%- endmacro %}

{#-
  The rows a history model merges for the build's pull days (as_of_start .. as_of_end), from
  `pulled` (a CTE with one row per key and pull day: `keys`, `tracked`, `payload` and
  `pull_day`). Each key's pulls are taken in day order after its latest stored row before the
  range: a pull whose tracked columns differ from the one before it (or that comes first) starts
  a row, valid until the key's next such row, or the key's first stored row after the range, or
  open (null). The stored row before the range is closed at the first change (or reopened up to
  the next later row). The same rows as building the days one by one, oldest first.
-#}
{% macro history_rows(pulled, keys, tracked, payload) %}
    {%- set columns = keys + tracked + payload -%}
    {%- set by_key = keys | join(', ') -%}
    {%- set incremental = incremental_branch() %}
    , _sequence as (
        {%- if incremental %}
        select {% for c in columns %}{{ c }}, {% endfor %}valid_from as pull_day, valid_to as _stored_valid_to, false as _pulled
        from (
            select *, row_number() over (partition by {{ by_key }} order by valid_from desc) as _recency
            from {{ this }}
            where valid_from < date '{{ var("as_of_start") }}'
        ) as _earlier
        where _recency = 1
        union all
        {%- endif %}
        select {% for c in columns %}{{ c }}, {% endfor %}pull_day, cast(null as date) as _stored_valid_to, true as _pulled
        from {{ pulled }}
    ),
    _compared as (
        select
            _sequence.*,
            row_number() over (partition by {{ by_key }} order by pull_day) as _position
            {%- for c in tracked %},
            lag({{ c }}) over (partition by {{ by_key }} order by pull_day) as _before_{{ loop.index }}
            {%- endfor %}
        from _sequence
    ),
    _kept as (
        select * from _compared
        where not _pulled or _position = 1
        {%- for c in tracked %} or {{ c }} is distinct from _before_{{ loop.index }}{% endfor %}
    ),
    _ranged as (
        select
            _kept.*,
            {%- if incremental %}
            coalesce(
                lead(_kept.pull_day) over (partition by {% for k in keys %}_kept.{{ k }}{{ ', ' if not loop.last }}{% endfor %} order by _kept.pull_day),
                _following.next_from
            ) as _valid_to
        from _kept
        left join (
            select {{ by_key }}, min(valid_from) as next_from
            from {{ this }}
            where valid_from > date '{{ var("as_of_end") }}'
            group by {{ by_key }}
        ) as _following on {{ _keys_match('_kept', '_following', keys) }}
            {%- else %}
            lead(pull_day) over (partition by {{ by_key }} order by pull_day) as _valid_to
        from _kept
            {%- endif %}
    )
    select {% for c in columns %}{{ c }}, {% endfor %}pull_day as valid_from, _valid_to as valid_to
    from _ranged
    where _pulled or _valid_to is distinct from _stored_valid_to
{% endmacro %}

{#- Join condition: a row of a history model (alias `row`) holds on `day` (point in time). -#}
{% macro holds_on(row, day) -%}
    {{ row }}.valid_from <= {{ day }} and ({{ row }}.valid_to is null or {{ row }}.valid_to > {{ day }})
{%- endmacro %}

{#- The last `value` by `order` in a group (the pull of the latest day). -#}
{% macro last_by(value, order) -%}
    {%- if target.type == 'bigquery' -%}
        array_agg({{ value }} order by {{ order }} desc limit 1)[offset(0)]
    {%- else -%}
        arg_max({{ value }}, {{ order }})
    {%- endif -%}
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
