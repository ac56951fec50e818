"""The volunteers dashboard: a plotly HTML report per partition day, written to the lake."""

import dagster as dg

from leanetl.defs.partitions import daily_partitions, out_freshness, partition_day
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.warehouse import Warehouse
from leanetl.lib.dashboards import flake_rate_dashboard
from leanetl.settings import Settings

DOMAIN = "volunteers"


def dashboard_key(day: str) -> str:
    return f"dashboards/{DOMAIN}/flake_rate/dt={day}/index.html"


def build_dashboard_asset(settings: Settings) -> dg.AssetsDefinition:
    @dg.asset(
        key=[DOMAIN, "flake_rate_dashboard"],
        group_name=DOMAIN,
        deps=[dg.AssetKey([DOMAIN, "flake_rate_outlook"])],
        partitions_def=daily_partitions(settings),
        kinds={"plotly", "html"},
        tags={"layer": "out"},
        freshness_policy=out_freshness(settings),
        automation_condition=dg.AutomationCondition.eager(),
        description="Flake rate by week per region, the current week by region, and the table.",
        pool="warehouse",
    )
    def flake_rate_dashboard_html(
        context: dg.AssetExecutionContext, warehouse: Warehouse, lake: ObjectStore
    ) -> dg.MaterializeResult:
        day = partition_day(context)
        outlook = warehouse.read(DOMAIN, "flake_rate_outlook", "as_of_date", [day])
        page = flake_rate_dashboard(outlook, day.isoformat())
        key = dashboard_key(day.isoformat())
        lake.put_bytes(key, page.encode(), content_type="text/html")
        return dg.MaterializeResult(
            metadata={
                "dashboard_url": dg.MetadataValue.url(lake.browser_url(key)),
                "path": dg.MetadataValue.path(lake.uri(key)),
                "dagster/row_count": len(outlook),
                "bytes": len(page),
            }
        )

    return flake_rate_dashboard_html
