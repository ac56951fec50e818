"""The Chatfuel dashboard: a plotly HTML report per partition day, written to the lake."""

import datetime as dt

import dagster as dg

from leanetl.defs.chatfuel.common import DOMAIN
from leanetl.defs.dashboards import PLOTLY_SRC, Page, warehouse_dashboard
from leanetl.io_managers.warehouse import Warehouse
from leanetl.lib.chatfuel.dashboard import chatfuel_dashboard
from leanetl.settings import Settings


def subscribers_page(warehouse: Warehouse, day: dt.date) -> Page:
    """Every day's users up to ``day`` and that day's broadcasts; nothing before the first users."""
    users = warehouse.query(
        f"select * from {warehouse.table_ref(DOMAIN, 'users_daily')} "
        f"where as_of_date <= {warehouse.param('day')}",
        {"day": day},
    )
    if users.empty:
        return None
    broadcasts = warehouse.read(DOMAIN, "broadcasts_daily", "as_of_date", [day])
    page = chatfuel_dashboard(users, broadcasts, day.isoformat(), PLOTLY_SRC)
    return page, {"dagster/row_count": len(broadcasts), "days_shown": len(users)}


def build_dashboard_asset(settings: Settings) -> dg.AssetsDefinition:
    return warehouse_dashboard(
        settings,
        [DOMAIN, "subscribers_dashboard"],
        [[DOMAIN, "users_daily"], [DOMAIN, "broadcasts_daily"]],
        "Engagement and opinion buckets over time, reachable vs blocked, the broadcasts table.",
        subscribers_page,
    )
