"""The query layer: DuckDB views over local Parquet, and/or Glue tables Athena can query."""

from collections.abc import Iterator

import dagster as dg

from leanetl.defs.checks import check_results
from leanetl.defs.partitions import daily_step
from leanetl.defs.web_events.common import (
    DEAD_LETTERS,
    DOMAIN,
    EVENT_TABLES,
    QUERY_TABLES,
    TABLE_KEYS,
)
from leanetl.defs.web_events.resources import GlueResource
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.warehouse import Warehouse
from leanetl.lib.web_events.catalog import (
    athena_dedup_query,
)
from leanetl.lib.web_events.checks import message_id_unique
from leanetl.lib.web_events.query_tables import duckdb_views, glue_tables
from leanetl.settings import Settings


def _glue_metadata(glue: GlueResource, web_lake: ObjectStore, day: str) -> dict[str, object]:
    """The day's tables in Glue, and the DDL and query to paste into Athena."""
    ddl = glue_tables(glue.catalog(), glue.database, web_lake, day)
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
            with warehouse.duckdb_connection() as conn:
                checked, repeated = duckdb_views(conn, schema, web_lake, context.partition_key)
            metadata["duckdb_views"] = dg.MetadataValue.json(sorted(repeated))
            metadata["try"] = f'select event, count(*) from "{schema}"."tracks" group by 1'
        if glue.configured:
            metadata |= _glue_metadata(glue, web_lake, context.partition_key)
        yield dg.MaterializeResult(asset_key=QUERY_TABLES, metadata=metadata)
        yield from check_results(
            message_id_unique(checked, repeated, local), {"message_id_unique": QUERY_TABLES}
        )

    return web_events_query_tables
