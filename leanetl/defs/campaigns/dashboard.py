"""The campaigns dashboard: spend and reach over time per campaign, one HTML page per day."""

from collections.abc import Iterator

import dagster as dg

from leanetl.defs.campaigns.common import CAMPAIGN_STATS, CANVASES, DOMAIN, EXPENDITURES
from leanetl.defs.dashboards import PLOTLY_SRC, dashboard_asset, dashboard_key, publish_dashboard
from leanetl.defs.partitions import partition_day
from leanetl.io_managers.mongo import MongoStore
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.parquet import asset_prefix
from leanetl.lib.calendar import day_end_utc
from leanetl.lib.campaigns.dashboard import campaigns_dashboard
from leanetl.lib.campaigns.mongo_sync import spend_history
from leanetl.lib.campaigns.stats_history import reach_history
from leanetl.settings import Settings


def build_dashboard_asset(settings: Settings) -> dg.AssetsDefinition:
    @dashboard_asset(
        settings,
        [DOMAIN, "campaigns_dashboard"],
        [CAMPAIGN_STATS, EXPENDITURES, CANVASES],
        "Spend per day and people reached so far, per campaign, as one HTML page.",
        include_today=True,
    )
    def campaigns_dashboard_html(
        context: dg.AssetExecutionContext, lake: ObjectStore, mongo: MongoStore
    ) -> Iterator[dg.MaterializeResult]:
        day = context.partition_key
        reach = reach_history(lake, asset_prefix(CAMPAIGN_STATS), day)
        cutoff = day_end_utc(partition_day(context), settings.timezone)
        with mongo.session(DOMAIN) as database:
            spend = spend_history(database, cutoff)
        if spend.empty and reach.empty:
            # E.g. a catch-up run of a day before any campaign ran: publishing an empty page
            # would make it the dashboard's latest materialisation.
            context.log.info(f"no spend and no stats up to {day}: no page published")
            return
        page = campaigns_dashboard(spend, reach, day, PLOTLY_SRC)
        yield publish_dashboard(
            lake,
            dashboard_key(DOMAIN, "spend_and_reach", day),
            page,
            {"campaigns": int(spend["campaign_id"].nunique()), "days_of_spend": len(spend)},
        )

    return campaigns_dashboard_html
