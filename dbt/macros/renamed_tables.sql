{#-
  Tables a leanetl release renamed move to their new names before any model runs
  (on-run-start, dbt_project.yml), so a warehouse built before keeps what they hold. A table
  moves only where its new name is still free; a view under the old name (a staging model now)
  is left alone. The hook's SQL renames (committed with the hook); dbt's relation cache learns
  it here, so the moved models build incrementally on the tables they find.
  2026-12: the Chatfuel history tables left staging (`stg_chatfuel__*`, now views over the raw
  tables) for intermediate (docs/chatfuel.md, "Models").
-#}
{% macro adopt_renamed_tables() %}
    {%- set statements = [] -%}
    {%- if execute and flags.WHICH in ('run', 'build') -%}
        {%- set renamed = {
            'stg_chatfuel__users': 'int_chatfuel__users_history',
            'stg_chatfuel__attribute_events': 'int_chatfuel__attribute_history',
            'stg_chatfuel__broadcasts': 'int_chatfuel__broadcasts_history',
            'stg_chatfuel__segments': 'int_chatfuel__segments_history',
            'stg_chatfuel__user_filters': 'int_chatfuel__user_filters_history',
            'stg_chatfuel__broadcast_recipients': 'int_chatfuel__recipients_first_listed',
        } -%}
        {%- set schema = 'chatfuel' ~ dataset_suffix() -%}
        {%- for old, new in renamed.items() -%}
            {%- set found = adapter.get_relation(database=target.database, schema=schema, identifier=old) -%}
            {%- set taken = adapter.get_relation(database=target.database, schema=schema, identifier=new) -%}
            {%- if found is not none and found.is_table and taken is none -%}
                {%- do statements.append('alter table ' ~ found ~ ' rename to ' ~ adapter.quote(new)) -%}
                {%- do adapter.cache_renamed(found, found.incorporate(path={'identifier': new})) -%}
                {%- do log('leanetl: table ' ~ found ~ ' renamed ' ~ new ~ ' (its model moved)', info=true) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ (statements or ['select 1']) | join(';\n') }}
{% endmacro %}
