"""The campaigns' MongoDB outputs, for the campaigns whose insights changed: expenditures, then
canvases (written last: then each campaign counts as up to date)."""

import datetime as dt

import dagster as dg
import pandas as pd

from leanetl.defs.campaigns.common import (
    ACTIVE_CAMPAIGNS,
    ADS_INSIGHTS,
    CAMPAIGN_STATS,
    CANVASES,
    CONTRIBUTIONS,
    DOMAIN,
    EXPENDITURES,
    INSIGHTS_CHANGES,
    INSIGHTS_TOTALS,
)
from leanetl.defs.campaigns.outputs import map_urls, out_asset, to_write
from leanetl.defs.checks import check_results
from leanetl.defs.partitions import daily_step, partition_day
from leanetl.io_managers.mongo import MongoStore
from leanetl.io_managers.object_store import ObjectStore
from leanetl.lib.calendar import day_end_utc
from leanetl.lib.campaigns.checks import matches_insights, shares_add_up
from leanetl.lib.campaigns.mongo_sync import upsert_metadata, write_canvases, write_expenditures
from leanetl.lib.campaigns.outputs import (
    canvas_documents,
    describe_plan,
    expenditure_documents,
)
from leanetl.settings import Settings


def build_expenditures(settings: Settings) -> dg.AssetsDefinition:

    @daily_step(
        settings,
        EXPENDITURES.path[-1],
        **out_asset(
            EXPENDITURES,
            "MongoDB `expenditures`: one document per (campaign, day, channel) of the "
            "lookback window, upserted in unordered bulk_write batches; only changed "
            "documents are written.",
            {"mongodb"},
            {"daily": ADS_INSIGHTS, "plan": INSIGHTS_CHANGES, "active": ACTIVE_CAMPAIGNS},
            check=(
                "matches_insights",
                "Mongo holds each written campaign's daily spend exactly as fetched.",
            ),
        ),
        include_today=True,
    )
    def expenditures(
        context: dg.AssetExecutionContext,
        mongo: MongoStore,
        daily: pd.DataFrame,
        plan: pd.DataFrame,
        active: pd.DataFrame,
    ) -> dg.MaterializeResult:
        written = to_write(plan)
        currencies = dict(zip(active["campaign_id"], active["currency"], strict=True))
        documents = expenditure_documents(daily[daily["campaign_id"].isin(written)], currencies)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with mongo.session(DOMAIN) as database:
            stats, stored = write_expenditures(database, documents, now)
        return dg.MaterializeResult(
            metadata={
                **upsert_metadata(stats),
                "documents": len(documents),
                "campaigns_written": len(written),
                "status": describe_plan(plan),
            },
            check_results=check_results(
                matches_insights(documents, stored), {"matches_insights": EXPENDITURES}
            ),
        )

    return expenditures


def build_canvases(settings: Settings) -> dg.AssetsDefinition:

    @daily_step(
        settings,
        CANVASES.path[-1],
        **out_asset(
            CANVASES,
            "MongoDB `canvases`: per (contributor, campaign) the amount contributed, share "
            "of funds, share of spend, people reached by that share, cost per person "
            "reached, the map URL and the as-of time. Written last; then the campaign "
            "counts as up to date.",
            {"mongodb"},
            {"totals": INSIGHTS_TOTALS, "plan": INSIGHTS_CHANGES, "contributions": CONTRIBUTIONS},
            after=(EXPENDITURES, CAMPAIGN_STATS),
            check=(
                "shares_add_up",
                "Per written campaign, contributors' shares of funds add up to 1.",
            ),
        ),
        include_today=True,
    )
    def canvases(
        context: dg.AssetExecutionContext,
        mongo: MongoStore,
        maps: ObjectStore,
        totals: pd.DataFrame,
        plan: pd.DataFrame,
        contributions: pd.DataFrame,
    ) -> dg.MaterializeResult:
        written = to_write(plan)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        figures_as_of = min(day_end_utc(partition_day(context), settings.timezone), now)
        campaign_totals = totals[
            (totals["level"] == "campaign") & totals["campaign_id"].isin(written)
        ]
        documents = canvas_documents(
            contributions[contributions["campaign_id"].isin(written)],
            campaign_totals,
            map_urls(maps, settings, campaign_totals["campaign_id"]),
            figures_as_of,
        )
        with mongo.session(DOMAIN) as database:
            stats = write_canvases(database, documents, plan, context.partition_key, now)
        return dg.MaterializeResult(
            metadata={
                **upsert_metadata(stats),
                "documents": len(documents),
                "contributors": len(documents),
                "campaigns_written": len(written),
                "status": describe_plan(plan),
            },
            check_results=check_results(shares_add_up(documents), {"shares_add_up": CANVASES}),
        )

    return canvases
