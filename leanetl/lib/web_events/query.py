"""The query layer's SQL: a deduplicated view per table over its Parquet (DuckDB), and the
Athena DDL of the same tables for the Glue catalog.

A row is one delivery of a Segment call; Firehose and Segment deliver at least once, so a
``message_id`` can arrive twice. The views keep, per ``message_id``, the delivery received first
(ties: raw object key, then byte offset); rows without a ``message_id`` are all kept.
``users`` is the latest identify (by ``timestamp``) of each ``user_id``.
"""

import re

_NAME = re.compile(r"[a-z][a-z0-9_]{0,59}")


def checked_name(name: str) -> str:
    """A table name as naming.py makes them; anything else is refused (it came from data)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a web events table name: {name!r}")
    return name


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def duckdb_view_sql(schema: str, table: str, glob: str) -> str:
    """``create or replace view`` of one table over its Parquet files, deduplicated. The view's
    own helper columns start with ``_``, which no column made from data does (``snake_case``)."""
    table = checked_name(table)
    return f"""
create or replace view "{schema}"."{table}" as
select * exclude (_leanetl_delivery_rank) from (
    select *, row_number() over (
        partition by coalesce(message_id, raw_object || ':' || cast(raw_offset as varchar))
        order by received_at nulls last, raw_object, raw_offset
    ) as _leanetl_delivery_rank
    from read_parquet({_literal(glob)}, hive_partitioning = true, union_by_name = true)
) where _leanetl_delivery_rank = 1
""".strip()


def duckdb_users_sql(schema: str) -> str:
    return f"""
create or replace view "{schema}"."users" as
select * exclude (_leanetl_recency) from (
    select user_id as id, *, row_number() over (
        partition by user_id order by timestamp desc, received_at desc, message_id
    ) as _leanetl_recency
    from "{schema}"."identifies"
    where user_id is not null
) where _leanetl_recency = 1
""".strip()
