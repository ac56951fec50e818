"""The volunteers dashboard: a plotly HTML report per partition day, written to the lake."""

from collections.abc import Iterator

import dagster as dg

from leanetl.defs.dashboards import PLOTLY_SRC, dashboard_asset, dashboard_key, publish_dashboard
from leanetl.defs.partitions import partition_day
from leanetl.defs.volunteers.common import DOMAIN
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.warehouse import Warehouse
from leanetl.lib.volunteers.dashboard import flake_rate_dashboard
from leanetl.settings import Settings


def build_dashboard_asset(settings: Settings) -> dg.AssetsDefinition:
    @dashboard_asset(
        settings,
        [DOMAIN, "flake_rate_dashboard"],
        [[DOMAIN, "flake_rate_outlook"]],
        "Flake rate by week per region, the current week by region, and the table.",
        pool="warehouse",
    )
    def flake_rate_dashboard_html(
        context: dg.AssetExecutionContext, warehouse: Warehouse, lake: ObjectStore
    ) -> Iterator[dg.MaterializeResult]:
        day = partition_day(context)
        outlook = warehouse.read(DOMAIN, "flake_rate_outlook", "as_of_date", [day])
        if outlook.empty:
            context.log.info(f"no flake-rate rows as of {day}: no page published")
            return
        page = flake_rate_dashboard(outlook, day.isoformat(), PLOTLY_SRC)
        yield publish_dashboard(
            lake,
            dashboard_key(DOMAIN, "flake_rate", day.isoformat()),
            page,
            {"dagster/row_count": len(outlook)},
        )

    return flake_rate_dashboard_html
