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
    CANVASES_COLLECTION,
    CONTRIBUTIONS,
    DOMAIN,
    EXPENDITURES,
    EXPENDITURES_COLLECTION,
    INSIGHTS_CHANGES,
    INSIGHTS_TOTALS,
    SYNC_COLLECTION,
)
from leanetl.defs.campaigns.outputs import map_urls, out_asset, to_write
from leanetl.defs.checks import check_results
from leanetl.defs.partitions import daily_step, partition_day
from leanetl.io_managers.mongo import MongoStore, UpsertStats, upsert_documents
from leanetl.io_managers.object_store import ObjectStore
from leanetl.lib.calendar import day_end_utc
from leanetl.lib.campaigns.checks import matches_insights, shares_add_up
from leanetl.lib.campaigns.outputs import (
    APPLY,
    canvas_documents,
    describe_plan,
    expenditure_documents,
)
from leanetl.settings import Settings


def _upsert_metadata(stats: UpsertStats) -> dict[str, int]:
    return {
        "inserted": stats.inserted,
        "updated": stats.updated,
        "unchanged_documents": stats.unchanged,
        "mongo_write_round_trips": stats.write_round_trips,
        "mongo_read_round_trips": stats.read_round_trips,
    }


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
            collection = database[EXPENDITURES_COLLECTION]
            stats = upsert_documents(collection, [{**d, "updated_at": now} for d in documents])
            stored = (
                {
                    d["_id"]: d["spend"]
                    for d in collection.find(
                        {"_id": {"$in": [d["_id"] for d in documents]}}, {"spend": 1}
                    )
                }
                if documents
                else {}
            )
        return dg.MaterializeResult(
            metadata={
                **_upsert_metadata(stats),
                "documents": len(documents),
                "campaigns_written": len(written),
                "status": describe_plan(plan),
            },
            check_results=check_results(
                matches_insights(documents, stored), {"matches_insights": EXPENDITURES}
            ),
        )

    return expenditures


def _write_canvases(
    mongo: MongoStore, documents: list[dict], plan: pd.DataFrame, partition: str, now: dt.datetime
) -> UpsertStats:
    """Upsert the canvases, then record each applied campaign's fingerprint: only now are the
    campaign's outputs complete, so only now is it up to date."""
    with mongo.session(DOMAIN) as database:
        stats = upsert_documents(
            database[CANVASES_COLLECTION],
            [{**d, "updated_at": now} for d in documents],
            ignore_fields=("updated_at", "as_of"),
        )
        for row in plan[plan["action"] == APPLY].itertuples(index=False):
            database[SYNC_COLLECTION].replace_one(
                {"_id": row.campaign_id},
                {
                    "_id": row.campaign_id,
                    "fingerprint": row.fingerprint,
                    "partition": partition,
                    "changed_at": now,
                },
                upsert=True,
            )
    return stats


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
        stats = _write_canvases(mongo, documents, plan, context.partition_key, now)
        return dg.MaterializeResult(
            metadata={
                **_upsert_metadata(stats),
                "documents": len(documents),
                "contributors": len(documents),
                "campaigns_written": len(written),
                "status": describe_plan(plan),
            },
            check_results=check_results(shares_add_up(documents), {"shares_add_up": CANVASES}),
        )

    return canvases
