"""The day's tables made queryable: DuckDB views over all their Parquet locally, Glue tables
(for Athena) in production. Only the tables the day's objects have rows in are touched, so a
run's cost follows the day, not the history."""

import datetime as dt
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from leanetl.lib.stores import Objects
from leanetl.lib.web_events.catalog import athena_ddl, athena_type, merged_columns, table_input
from leanetl.lib.web_events.lake import TRANSFORMED, manifest_key, read_json
from leanetl.lib.web_events.manifest import DayManifest
from leanetl.lib.web_events.query import checked_name, duckdb_users_sql, duckdb_view_sql


class Catalog(Protocol):
    """A Glue Data Catalog (``clients.glue.GlueCatalog``)."""

    def ensure_database(self, name: str) -> None: ...

    def columns(self, database: str, table: str) -> dict[str, str] | None: ...

    def put_table(self, database: str, table_input: dict[str, Any], exists: bool) -> None: ...


def day_tables(lake: Objects, day: str) -> list[str]:
    """Tables the day's objects have rows in, from the day's manifest (names checked: they came
    from data)."""
    stored = read_json(lake, manifest_key(day))
    manifest = DayManifest.from_json(dt.date.fromisoformat(day), stored)
    return sorted(checked_name(t) for t in manifest.totals())


def duckdb_views(
    conn: Any, schema: str, lake: Objects, day: str
) -> tuple[dict[str, int], dict[str, int]]:
    """Create (or refresh), on the DuckDB connection ``conn``, the views of the day's tables over
    all their Parquet; per table, how many of the day's rows (with a message_id) the view keeps,
    and how many of those share a message_id with another (0 expected)."""
    tables = day_tables(lake, day)
    root = Path(lake.uri(TRANSFORMED))
    checked: dict[str, int] = {}
    repeated: dict[str, int] = {}
    conn.execute(f'create schema if not exists "{schema}"')
    for table in tables:
        conn.execute(duckdb_view_sql(schema, table, str(root / table / "*" / "*.parquet")))
    if "identifies" in tables:
        conn.execute(duckdb_users_sql(schema))
    for table in tables:
        n, distinct = conn.execute(
            f'select count(message_id), count(distinct message_id) from "{schema}"."{table}" '
            "where cast(dt as varchar) = ?",
            [day],
        ).fetchone()
        checked[table], repeated[table] = int(n), int(n - distinct)
    return checked, repeated


def day_columns(lake: Objects, table: str, day: str) -> dict[str, str]:
    """Athena types of the columns of a table's Parquet files of one day."""
    seen: dict[str, str] = {}
    for key in lake.list_keys(f"{TRANSFORMED}/{table}/dt={day}/"):
        schema = pq.read_schema(pa.BufferReader(lake.get_bytes(key)))
        seen = merged_columns(seen, {f.name: athena_type(f.type) for f in schema})
    return seen


def glue_tables(catalog: Catalog, database: str, lake: Objects, day: str) -> dict[str, str]:
    """Create or update each table with files on ``day`` whose columns changed; its DDL."""
    catalog.ensure_database(database)
    ddl = {}
    for table in day_tables(lake, day):
        seen = day_columns(lake, table, day)
        if not seen:
            continue
        known = catalog.columns(database, table)
        columns = merged_columns(known or {}, seen)
        location = lake.uri(f"{TRANSFORMED}/{table}")
        if columns != known:
            catalog.put_table(database, table_input(table, location, columns), known is not None)
        ddl[table] = athena_ddl(database, table, location, columns)
    return ddl
