"""The volunteers dashboard: a plotly HTML report per partition day, written to the lake."""

import datetime as dt

import dagster as dg

from leanetl.defs.dashboards import PLOTLY_SRC, Page, warehouse_dashboard
from leanetl.defs.volunteers.common import DOMAIN
from leanetl.io_managers.warehouse import Warehouse
from leanetl.lib.volunteers.dashboard import flake_rate_dashboard
from leanetl.settings import Settings


def flake_rate_page(warehouse: Warehouse, day: dt.date) -> Page:
    """The outlook as of ``day``; nothing to show before the first flake-rate rows."""
    outlook = warehouse.read(DOMAIN, "flake_rate_outlook", "as_of_date", [day])
    if outlook.empty:
        return None
    return flake_rate_dashboard(outlook, day.isoformat(), PLOTLY_SRC), {
        "dagster/row_count": len(outlook)
    }


def build_dashboard_asset(settings: Settings) -> dg.AssetsDefinition:
    return warehouse_dashboard(
        settings,
        [DOMAIN, "flake_rate_dashboard"],
        [[DOMAIN, "flake_rate_outlook"]],
        "Flake rate by week per region, the current week by region, and the table.",
        flake_rate_page,
    )
