"""The deliveries domain's definitions: one daily source table and its check."""

import io
from collections.abc import Iterator

import dagster as dg
import pandas as pd

from leanetl.defs.checks import check_results
from leanetl.defs.deliveries.checks import parcels_counted
from leanetl.defs.partitions import daily_step
from leanetl.defs.policies import domain_defs
from leanetl.io_managers.object_store import ObjectStore
from leanetl.settings import Settings
from leanetl.settings import settings as process_settings

PARCELS = dg.AssetKey(["deliveries", "parcels"])


def build_defs(settings: Settings) -> dg.Definitions:
    @daily_step(
        settings,
        "deliveries_parcels",
        group_name="deliveries",
        outs={
            "parcels": dg.AssetOut(
                key=PARCELS,
                io_manager_key="parquet_io_manager",
                kinds={"csv", "parquet"},
                tags={"layer": "out"},
            )
        },
        check_specs=[dg.AssetCheckSpec("parcels_counted", asset=PARCELS)],
    )
    def deliveries_parcels(
        context: dg.AssetExecutionContext, deliveries_source: ObjectStore
    ) -> Iterator[dg.Output | dg.AssetCheckResult]:
        raw = deliveries_source.get_bytes(f"parcels-{context.partition_key}.csv")
        parcels = pd.read_csv(io.BytesIO(raw), dtype={"household": "string"})
        yield dg.Output(parcels, "parcels", metadata={"dagster/row_count": len(parcels)})
        yield from check_results(parcels_counted(parcels), {"parcels_counted": PARCELS})

    job = dg.define_asset_job("deliveries_daily", selection=dg.AssetSelection.groups("deliveries"))
    return dg.Definitions(assets=[deliveries_parcels], jobs=[job])


@dg.definitions
def deliveries() -> dg.Definitions:
    return domain_defs(build_defs, process_settings())
