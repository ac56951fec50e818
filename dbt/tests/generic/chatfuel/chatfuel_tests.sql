{#- Rows whose `column_name` is not 'none' or a bucket of the dbt var `buckets_var`. -#}
{% test in_buckets(model, column_name, buckets_var) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is null
    or {{ column_name }} not in ({% for b in bucket_names(var(buckets_var)) %}'{{ b }}'{{ ', ' if not loop.last }}{% endfor %})
{% endtest %}

{#- users_daily rows whose reachable users per bucket of `buckets_var` (columns
    <prefix>_<bucket>, and <prefix>_none) do not add up to the reachable users. -#}
{% test buckets_add_up(model, prefix, buckets_var) %}
select as_of_date, reachable
from {{ model }}
where reachable <> {% for b in bucket_names(var(buckets_var)) %}{{ prefix }}_{{ b }}{{ ' + ' if not loop.last }}{% endfor %}
{% endtest %}
