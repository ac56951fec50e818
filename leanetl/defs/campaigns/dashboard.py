"""The campaigns dashboard: spend and reach over time per campaign, one HTML page per day."""

from collections.abc import Iterator

import dagster as dg
import pandas as pd

from leanetl.defs.campaigns.common import CAMPAIGN_STATS, DOMAIN, EXPENDITURES_COLLECTION
from leanetl.defs.dashboards import PLOTLY_SRC, dashboard_asset, dashboard_key, publish_dashboard
from leanetl.defs.partitions import partition_day
from leanetl.io_managers.mongo import MongoStore
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.parquet import asset_prefix
from leanetl.lib.calendar import day_end_utc
from leanetl.lib.campaigns.dashboard import campaigns_dashboard
from leanetl.lib.parquet import read_parquet_bytes
from leanetl.settings import Settings


def reach_history(lake: ObjectStore, last_day: str) -> pd.DataFrame:
    """Each day's campaign-level stats up to ``last_day`` (one row per campaign and day)."""
    frames = []
    for key in sorted(lake.list_keys(asset_prefix(CAMPAIGN_STATS) + "/dt=")):
        day = key.split("dt=")[1].split("/")[0]
        if day > last_day:
            continue
        stats = read_parquet_bytes(lake.get_bytes(key))
        top = stats[stats["level"] == "campaign"]
        frames.append(top[["campaign_name", "reach", "spend"]].assign(day=day))
    return (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["campaign_name", "reach", "spend", "day"])
    )


def build_dashboard_asset(settings: Settings) -> dg.AssetsDefinition:
    @dashboard_asset(
        settings,
        [DOMAIN, "campaigns_dashboard"],
        [[DOMAIN, "campaign_stats"], [DOMAIN, "expenditures"], [DOMAIN, "canvases"]],
        "Spend per day and people reached so far, per campaign, as one HTML page.",
        include_today=True,
    )
    def campaigns_dashboard_html(
        context: dg.AssetExecutionContext, lake: ObjectStore, mongo: MongoStore
    ) -> Iterator[dg.MaterializeResult]:
        day = context.partition_key
        reach = reach_history(lake, day)
        cutoff = day_end_utc(partition_day(context), settings.timezone)
        with mongo.session(DOMAIN) as database:
            names = {c["_id"]: c.get("name", c["_id"]) for c in database["campaigns"].find({})}
            spend = pd.DataFrame(
                list(
                    database[EXPENDITURES_COLLECTION].find(
                        {"day": {"$lt": cutoff}}, {"campaign_id": 1, "day": 1, "spend": 1}
                    )
                ),
                columns=["_id", "campaign_id", "day", "spend"],
            )
        spend["campaign_name"] = spend["campaign_id"].map(names)
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
