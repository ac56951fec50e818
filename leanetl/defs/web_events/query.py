"""The query layer: DuckDB views over local Parquet, and/or Glue tables Athena can query."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq

from leanetl.defs.checks import check_results
from leanetl.defs.partitions import daily_step
from leanetl.defs.web_events.common import (
    DEAD_LETTERS,
    DOMAIN,
    EVENT_TABLES,
    QUERY_TABLES,
    TABLE_KEYS,
    TRANSFORMED,
    manifest_key,
    read_json,
)
from leanetl.defs.web_events.resources import GlueResource
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.warehouse import Warehouse
from leanetl.lib.web_events.catalog import (
    athena_ddl,
    athena_dedup_query,
    athena_type,
    merged_columns,
    table_input,
)
from leanetl.lib.web_events.checks import message_id_unique
from leanetl.lib.web_events.manifest import DayManifest
from leanetl.lib.web_events.query import checked_name, duckdb_users_sql, duckdb_view_sql
from leanetl.settings import Settings


def day_tables(lake: ObjectStore, day: str) -> list[str]:
    """Tables the day's objects have rows in, from the day's manifest: a run's cost follows the
    day, not the history (names checked: they came from data)."""
    stored = read_json(lake, manifest_key(day))
    manifest = DayManifest.from_json(dt.date.fromisoformat(day), stored)
    return sorted(checked_name(t) for t in manifest.totals())


def duckdb_views(
    warehouse: Warehouse, schema: str, lake: ObjectStore, day: str
) -> tuple[dict[str, int], dict[str, int]]:
    """Create (or refresh) the views of the day's tables over all their Parquet; per table, how
    many of the day's rows (with a message_id) the view keeps, and how many of those share a
    message_id with another (0 expected)."""
    tables = day_tables(lake, day)
    root = Path(lake.uri(TRANSFORMED))
    checked: dict[str, int] = {}
    repeated: dict[str, int] = {}
    with warehouse.duckdb_connection() as conn:
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


def day_columns(lake: ObjectStore, table: str, day: str) -> dict[str, str]:
    """Athena types of the columns of a table's Parquet files of one day."""
    seen: dict[str, str] = {}
    for key in lake.list_keys(f"{TRANSFORMED}/{table}/dt={day}/"):
        schema = pq.read_schema(pa.BufferReader(lake.get_bytes(key)))
        seen = merged_columns(seen, {f.name: athena_type(f.type) for f in schema})
    return seen


def glue_tables(glue: GlueResource, lake: ObjectStore, day: str) -> dict[str, str]:
    """Create or update each table with files on ``day`` whose columns changed; its DDL."""
    catalog = glue.catalog()
    catalog.ensure_database(glue.database)
    ddl = {}
    for table in day_tables(lake, day):
        seen = day_columns(lake, table, day)
        if not seen:
            continue
        known = catalog.columns(glue.database, table)
        columns = merged_columns(known or {}, seen)
        location = lake.uri(f"{TRANSFORMED}/{table}")
        if columns != known:
            catalog.put_table(
                glue.database, table_input(table, location, columns), known is not None
            )
        ddl[table] = athena_ddl(glue.database, table, location, columns)
    return ddl


def _glue_metadata(glue: GlueResource, web_lake: ObjectStore, day: str) -> dict[str, object]:
    """The day's tables in Glue, and the DDL and query to paste into Athena."""
    ddl = glue_tables(glue, web_lake, day)
    return {
        "glue_database": glue.database,
        "glue_tables": dg.MetadataValue.json(sorted(ddl)),
        "athena_ddl": dg.MetadataValue.md("\n\n".join(f"```sql\n{d}\n```" for d in ddl.values())),
        "athena_query": athena_dedup_query(glue.database, "tracks", day),
    }


QUERY_CHECK = dg.AssetCheckSpec(
    "message_id_unique",
    asset=QUERY_TABLES,
    blocking=True,
    description="Each message_id of the day's rows is one row in every DuckDB view "
    "(deliveries deduplicated).",
)


def _query_spec(schema: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        QUERY_TABLES,
        deps=[*TABLE_KEYS.values(), EVENT_TABLES, DEAD_LETTERS],
        description=(
            f"Every table queryable, one row per message_id: locally as a view "
            f"`{schema}.<table>` in the DuckDB warehouse (and `users`, the latest traits "
            "per user_id); with LEANETL_WEB_EVENTS_GLUE_DATABASE as Glue tables with dt "
            "partition projection, for Athena."
        ),
        group_name=DOMAIN,
        kinds={"duckdb", "glue", "athena"},
        tags={"layer": "out"},
    )


def build_query_asset(settings: Settings) -> dg.AssetsDefinition:
    schema = settings.schema(DOMAIN)

    @daily_step(
        settings,
        "web_events_query_tables",
        include_today=True,
        timezone="UTC",
        specs=[_query_spec(schema)],
        check_specs=[QUERY_CHECK],
        pool="warehouse",
    )
    def web_events_query_tables(
        context: dg.AssetExecutionContext,
        web_lake: ObjectStore,
        warehouse: Warehouse,
        glue: GlueResource,
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        local = web_lake.scheme == "file" and warehouse.backend == "duckdb"
        if not local and not glue.configured:
            raise dg.Failure(
                "web events: set LEANETL_WEB_EVENTS_GLUE_DATABASE to query the tables with Athena "
                "(DuckDB views need a local LEANETL_WEB_EVENTS_URL)",
                allow_retries=False,
            )
        metadata: dict[str, object] = {}
        checked: dict[str, int] = {}
        repeated: dict[str, int] = {}
        if local:
            checked, repeated = duckdb_views(warehouse, schema, web_lake, context.partition_key)
            metadata["duckdb_views"] = dg.MetadataValue.json(sorted(repeated))
            metadata["try"] = f'select event, count(*) from "{schema}"."tracks" group by 1'
        if glue.configured:
            metadata |= _glue_metadata(glue, web_lake, context.partition_key)
        yield dg.MaterializeResult(asset_key=QUERY_TABLES, metadata=metadata)
        yield from check_results(
            message_id_unique(checked, repeated, local), {"message_id_unique": QUERY_TABLES}
        )

    return web_events_query_tables
