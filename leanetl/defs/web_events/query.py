"""The query layer: DuckDB views over the Parquet (local), deduplicated by message_id."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from leanetl.defs.partitions import ONE_DAY_PER_RUN, daily_partitions
from leanetl.defs.web_events.common import (
    DEAD_LETTERS,
    DOMAIN,
    EVENT_TABLES,
    QUERY_TABLES,
    TABLE_KEYS,
    TRANSFORMED,
)
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.warehouse import Warehouse
from leanetl.lib.web_events.query import checked_name, duckdb_users_sql, duckdb_view_sql
from leanetl.settings import Settings


def stored_tables(lake: ObjectStore) -> list[str]:
    """Tables that have Parquet under transformed/ (names checked: they came from data)."""
    names = {key.split("/")[1] for key in lake.list_keys(f"{TRANSFORMED}/") if key.count("/") >= 3}
    return sorted(checked_name(n) for n in names)


def build_query_asset(settings: Settings) -> dg.AssetsDefinition:
    schema = settings.schema(DOMAIN)

    @dg.multi_asset(
        name="web_events_query_tables",
        specs=[
            dg.AssetSpec(
                QUERY_TABLES,
                deps=[*TABLE_KEYS.values(), EVENT_TABLES, DEAD_LETTERS],
                description=(
                    f"Every table as a view `{schema}.<table>` in the local DuckDB warehouse over "
                    "its Parquet (hive partitions dt=, union by name), one row per message_id, "
                    "and `users` (latest traits per user_id)."
                ),
                group_name=DOMAIN,
                kinds={"duckdb", "parquet"},
                tags={"layer": "out"},
            )
        ],
        check_specs=[
            dg.AssetCheckSpec(
                "message_id_unique",
                asset=QUERY_TABLES,
                blocking=True,
                description="Each message_id is one row in every view (deliveries deduplicated).",
            )
        ],
        partitions_def=daily_partitions(settings, include_today=True, timezone="UTC"),
        backfill_policy=ONE_DAY_PER_RUN,
        pool="warehouse",
    )
    def web_events_query_tables(
        context: dg.AssetExecutionContext, web_lake: ObjectStore, warehouse: Warehouse
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        if web_lake.scheme != "file" or warehouse.backend != "duckdb":
            raise dg.Failure(
                "the web events query layer is built locally only so far (DuckDB over a local "
                "lake); the Glue catalog for Athena is not built yet"
            )
        tables = stored_tables(web_lake)
        root = Path(web_lake.uri(TRANSFORMED).removeprefix("file://"))
        repeated: dict[str, int] = {}
        rows: dict[str, int] = {}
        with warehouse.duckdb_connection() as conn:
            conn.execute(f'create schema if not exists "{schema}"')
            for table in tables:
                conn.execute(duckdb_view_sql(schema, table, str(root / table / "*" / "*.parquet")))
            if "identifies" in tables:
                conn.execute(duckdb_users_sql(schema))
            for table in tables:
                n, distinct = conn.execute(
                    f'select count(message_id), count(distinct message_id) from "{schema}"."{table}"'
                ).fetchone()
                rows[table], repeated[table] = int(n), int(n - distinct)
        yield dg.MaterializeResult(
            asset_key=QUERY_TABLES,
            metadata={
                "schema": schema,
                "tables": dg.MetadataValue.json(tables),
                "rows_with_message_id": dg.MetadataValue.json(rows),
                "example": f'select event, count(*) from "{schema}"."tracks" group by 1 order by 2 desc',
            },
        )
        yield dg.AssetCheckResult(
            asset_key=QUERY_TABLES,
            check_name="message_id_unique",
            passed=not any(repeated.values()),
            metadata={"repeated": dg.MetadataValue.json({t: n for t, n in repeated.items() if n})},
        )

    return web_events_query_tables
