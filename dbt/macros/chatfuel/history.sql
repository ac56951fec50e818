{#-
  Config of a history model (slowly changing, type 2): one row per key each time it is new or
  one of its tracked columns changed, with `valid_from` (the pull day that saw it) and
  `valid_to` (the pull day of the key's next row; null while current). Merged on
  (keys, valid_from). A build re-derives every pull day from as_of_start on (history_rebuilt):
  their rows are deleted first (in the model's transaction on DuckDB), so a re-run replaces
  them, a re-pull that no longer changes anything leaves none, and a backfilled older day is
  put in its place with the later days re-compared to it. `days_from`: the staging model whose
  pull days are the model's days.
-#}
{% macro history_config(keys, days_from) %}
    {% do return({
        'materialized': 'incremental',
        'incremental_strategy': 'merge',
        'unique_key': keys + ['valid_from'],
        'on_schema_change': 'fail',
        'pre_hook': "{% if is_incremental() %}delete from {{ this }} where "
            ~ "{{ history_rebuilt('valid_from', ref('" ~ days_from ~ "')) }}{% endif %}",
    }) %}
{% endmacro %}

{#-
  `column` (a date) is a day this history build re-derives: a day of the build's range, or a
  later pull day of `days_from` (a relation with `pull_day`). A later day whose raw slices are
  gone is not re-derived: its stored rows stay and the rebuilt days are compared with them.
-#}
{% macro history_rebuilt(column, days_from) -%}
    ({{ as_of_in_range(column) }} or {{ column }} in (
        select pull_day from {{ days_from }} where pull_day > date '{{ var("as_of_end") }}'))
{%- endmacro %}

{#- `column` (a pull day) is read by this history build: the range's first day or later. -#}
{% macro history_pulls(column) -%}
    {{ column }} >= date '{{ var("as_of_start") }}'
{%- endmacro %}

{#-
  The rows a history model merges for the pull days from as_of_start on, from `pulled` (a CTE
  with one row per key and pull day: `keys`, `tracked`, `payload` and `pull_day`). Each key's
  pulls are taken in day order after its latest stored row before as_of_start, among the
  stored rows of later days whose raw slices are gone (the pre-hook deleted every other row
  from as_of_start on): a pull whose tracked columns differ from the row before it (or that
  comes first) starts a row, valid until the key's next row or open (null). A stored row whose
  end moved is merged again with its new `valid_to`. The same rows as building every pull day
  one by one, oldest first, whatever order the days were built in.
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
        select {% for c in columns %}{{ c }}, {% endfor %}valid_from as pull_day, valid_to as _stored_valid_to, false as _pulled
        from {{ this }}
        where {{ history_pulls('valid_from') }}
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
        select _kept.*, lead(pull_day) over (partition by {{ by_key }} order by pull_day) as _valid_to
        from _kept
    )
    select {% for c in columns %}{{ c }}, {% endfor %}pull_day as valid_from, _valid_to as valid_to
    from _ranged
    where _pulled or _valid_to is distinct from _stored_valid_to
{% endmacro %}

{#- Join condition: a row of a history model (alias `row`) holds on `day` (point in time). -#}
{% macro holds_on(row, day) -%}
    {{ row }}.valid_from <= {{ day }} and ({{ row }}.valid_to is null or {{ row }}.valid_to > {{ day }})
{%- endmacro %}

{#- The first `value` by `order` in a group (the pull of the earliest day). -#}
{% macro first_by(value, order) -%}
    {%- if target.type == 'bigquery' -%}
        array_agg({{ value }} order by {{ order }} limit 1)[offset(0)]
    {%- else -%}
        arg_min({{ value }}, {{ order }})
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
