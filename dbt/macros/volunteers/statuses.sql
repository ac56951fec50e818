{%- macro _status_list(var_name) -%}
    ({% for s in var(var_name) %}'{{ s | trim | lower }}'{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro -%}

{#- The class a normalised (trimmed, lower-case) VAN status falls in; the lists are dbt vars. -#}
{% macro status_class(status_key) -%}
    case
        when {{ status_key }} in {{ _status_list('volunteers_completed_statuses') }} then 'completed'
        when {{ status_key }} in {{ _status_list('volunteers_no_show_statuses') }} then 'no_show'
        when {{ status_key }} in {{ _status_list('volunteers_cancelled_statuses') }} then 'cancelled'
        when {{ status_key }} in {{ _status_list('volunteers_scheduled_statuses') }} then 'scheduled'
        else 'other'
    end
{%- endmacro %}

{#- Tie-break for two statuses recorded at the same instant: outcomes come after intentions. -#}
{% macro status_precedence(status_class) -%}
    case {{ status_class }}
        when 'completed' then 4
        when 'no_show' then 3
        when 'cancelled' then 2
        when 'scheduled' then 1
        else 0
    end
{%- endmacro %}
