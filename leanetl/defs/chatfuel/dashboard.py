"""The Chatfuel dashboard: a plotly HTML report per partition day, written to the lake."""

from collections.abc import Iterator

import dagster as dg

from leanetl.defs.chatfuel.common import DOMAIN
from leanetl.defs.dashboards import PLOTLY_SRC, dashboard_asset, dashboard_key, publish_dashboard
from leanetl.defs.partitions import partition_day
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.warehouse import Warehouse
from leanetl.lib.chatfuel.dashboard import chatfuel_dashboard
from leanetl.settings import Settings


def build_dashboard_asset(settings: Settings) -> dg.AssetsDefinition:
    @dashboard_asset(
        settings,
        [DOMAIN, "subscribers_dashboard"],
        [[DOMAIN, "users_daily"], [DOMAIN, "broadcasts_daily"]],
        "Engagement and opinion buckets over time, reachable vs blocked, the broadcasts table.",
        pool="warehouse",
    )
    def chatfuel_dashboard_html(
        context: dg.AssetExecutionContext, warehouse: Warehouse, lake: ObjectStore
    ) -> Iterator[dg.MaterializeResult]:
        day = partition_day(context)
        users = warehouse.query(
            f"select * from {warehouse.table_ref(DOMAIN, 'users_daily')} "
            f"where as_of_date <= {warehouse.param('day')}",
            {"day": day},
        )
        broadcasts = warehouse.read(DOMAIN, "broadcasts_daily", "as_of_date", [day])
        if users.empty:
            context.log.info(f"no Chatfuel users as of {day}: no page published")
            return
        page = chatfuel_dashboard(users, broadcasts, day.isoformat(), PLOTLY_SRC)
        yield publish_dashboard(
            lake,
            dashboard_key(DOMAIN, "subscribers", day.isoformat()),
            page,
            {"dagster/row_count": len(broadcasts), "days_shown": len(users)},
        )

    return chatfuel_dashboard_html
