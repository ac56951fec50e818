"""What contributors see, written only for campaigns whose insights changed: the reach map
(object store / GCS), stats (lake), expenditures and canvases (MongoDB)."""

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from typing import Any

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
    REACH_MAP,
    SYNC_COLLECTION,
    map_key,
)
from leanetl.defs.checks import check_results
from leanetl.defs.metadata import preview
from leanetl.defs.partitions import daily_step, partition_day
from leanetl.defs.ranges import later_days
from leanetl.io_managers.mongo import MongoStore, UpsertStats, upsert_documents
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.parquet import partition_object_key
from leanetl.lib.calendar import day_end_utc
from leanetl.lib.campaigns.checks import matches_insights, one_total_per_campaign, shares_add_up
from leanetl.lib.campaigns.outputs import (
    APPLY,
    campaign_stats,
    canvas_documents,
    describe_plan,
    expenditure_documents,
)
from leanetl.lib.campaigns.reach_map import (
    browser_session,
    offline_html,
    png_images,
    reach_map_figure,
)
from leanetl.lib.parquet import frame_to_parquet_bytes
from leanetl.settings import Settings

OUT = {"layer": "out"}


def _to_write(plan: pd.DataFrame) -> set[str]:
    return set(plan.loc[plan["action"] == APPLY, "campaign_id"])


def _map_urls(maps: ObjectStore, settings: Settings, campaigns: pd.Series) -> dict[str, str]:
    return {c: _map_url(maps, settings, c) for c in campaigns}


def _map_url(maps: ObjectStore, settings: Settings, campaign_id: str) -> str:
    """Where contributors open a campaign's map: the public base URL if set, else the store's."""
    key = map_key(campaign_id)
    base = settings.campaigns.maps_public_url
    return f"{base}/{key}" if base else maps.public_url(key)


def _out_asset(
    key: dg.AssetKey,
    description: str,
    kinds: set[str],
    inputs: dict[str, dg.AssetKey],
    after: tuple[dg.AssetKey, ...] = (),
    check: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """``daily_step`` arguments of an out asset written by its own code (object store or Mongo):
    its inputs, what it runs after, its blocking check."""
    checks = (
        [dg.AssetCheckSpec(check[0], asset=key, blocking=True, description=check[1])]
        if check
        else None
    )
    return {
        "specs": [
            dg.AssetSpec(
                key,
                group_name=DOMAIN,
                deps=[*after, *inputs.values()],
                kinds=kinds,
                tags=OUT,
                description=description,
            )
        ],
        "ins": {name: dg.AssetIn(k) for name, k in inputs.items()},
        "check_specs": checks,
    }


def _upsert_metadata(stats: UpsertStats) -> dict[str, int]:
    return {
        "inserted": stats.inserted,
        "updated": stats.updated,
        "unchanged_documents": stats.unchanged,
        "mongo_write_round_trips": stats.write_round_trips,
        "mongo_read_round_trips": stats.read_round_trips,
    }


def in_browser_session(browser_path: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The step runs its days with one browser for the PNGs (``browser_session``)."""

    def wrap(step: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        @functools.wraps(step)
        def in_session(*args: Any, **kwargs: Any) -> Iterator[Any]:
            with browser_session(browser_path):
                yield from step(*args, **kwargs)

        return in_session

    return wrap


def _campaign_figure(totals: pd.DataFrame, regions: pd.DataFrame, campaign_id: str) -> Any:
    """One campaign's reach map: reach by US state, other regions beside it, the API's total."""
    rows = regions[regions["campaign_id"] == campaign_id]
    name = rows["campaign_name"].iloc[0] if len(rows) else campaign_id
    states = rows[rows["state"].notna()].groupby("state", as_index=False)["reach"].sum()
    others = rows.loc[rows["state"].isna(), ["region", "reach"]]
    whole = totals[(totals["level"] == "campaign") & (totals["campaign_id"] == campaign_id)]
    total = int(whole["reach"].iloc[0]) if len(whole) else None
    return reach_map_figure(states, others, f"People reached: {name}", total)


def build_reach_map(settings: Settings) -> dg.AssetsDefinition:

    @daily_step(
        settings,
        REACH_MAP.path[-1],
        include_today=True,
        outer=in_browser_session(settings.campaigns.browser_path),
        **_out_asset(
            REACH_MAP,
            "Per campaign, a choropleth of the people reached by US state (other regions "
            "listed beside it): self-contained HTML that opens offline, and PNG, uploaded to "
            f"{settings.campaigns.maps_url}. Only campaigns whose insights changed are redrawn.",
            {"plotly", "gcs"},
            {"totals": INSIGHTS_TOTALS, "plan": INSIGHTS_CHANGES},
        ),
    )
    def reach_map(
        context: dg.AssetExecutionContext,
        maps: ObjectStore,
        totals: pd.DataFrame,
        plan: pd.DataFrame,
    ) -> dg.MaterializeResult:
        regions = totals[totals["level"] == "region"]
        # In a run over several days, a map a later day of the run redraws is drawn then only:
        # each campaign's map is one object, the last drawing is the one that stays.
        later = later_days(context, "plan")
        redrawn_later = _to_write(later) if later is not None else set()
        figures = {
            campaign_id: _campaign_figure(totals, regions, campaign_id)
            for campaign_id in sorted(_to_write(plan) - redrawn_later)
        }
        images, png_note = png_images(
            list(figures.values()), browser_path=settings.campaigns.browser_path
        )
        uploaded: dict[str, str] = {}
        for i, (campaign_id, figure) in enumerate(figures.items()):
            html_key = map_key(campaign_id)
            maps.put_bytes(html_key, offline_html(figure).encode(), content_type="text/html")
            if images:
                maps.put_bytes(map_key(campaign_id, "png"), images[i], content_type="image/png")
            uploaded[campaign_id] = _map_url(maps, settings, campaign_id)
        return dg.MaterializeResult(
            metadata={
                "maps_uploaded": len(uploaded),
                "status": describe_plan(plan),
                "urls": dg.MetadataValue.md(
                    "\n".join(f"- {c}: {u}" for c, u in uploaded.items()) or "_none uploaded_"
                ),
                "png": png_note if figures else "no map drawn",
                "maps_left_to_later_days": len(_to_write(plan) & redrawn_later),
                "store": maps.uri("reach-maps"),
            }
        )

    return reach_map


def build_campaign_stats_asset(settings: Settings) -> dg.AssetsDefinition:

    @daily_step(
        settings,
        CAMPAIGN_STATS.path[-1],
        include_today=True,
        retries=False,
        **_out_asset(
            CAMPAIGN_STATS,
            "Spend, reach, impressions, clicks, conversions, conversion rate and cost per "
            "result, per campaign and per region, over each campaign's period so far, with "
            "its map URL. Not rewritten when no campaign changed.",
            {"pandas", "parquet"},
            {"totals": INSIGHTS_TOTALS, "plan": INSIGHTS_CHANGES, "active": ACTIVE_CAMPAIGNS},
            after=(REACH_MAP,),
            check=(
                "one_total_per_campaign",
                "Exactly one campaign-level row per campaign, ratios not negative.",
            ),
        ),
    )
    def campaign_stats_asset(
        context: dg.AssetExecutionContext,
        lake: ObjectStore,
        maps: ObjectStore,
        totals: pd.DataFrame,
        plan: pd.DataFrame,
        active: pd.DataFrame,
    ) -> dg.MaterializeResult:
        key = partition_object_key(CAMPAIGN_STATS, context.partition_key)
        currencies = dict(zip(active["campaign_id"], active["currency"], strict=True))
        stats = campaign_stats(totals, currencies, _map_urls(maps, settings, active["campaign_id"]))
        top = stats[stats["level"] == "campaign"]
        check = check_results(
            one_total_per_campaign(stats), {"one_total_per_campaign": CAMPAIGN_STATS}
        )[0]
        if not _to_write(plan) and lake.exists(key):
            return dg.MaterializeResult(
                metadata={"rewritten": False, "status": describe_plan(plan)},
                check_results=[check],
            )
        lake.put_bytes(key, frame_to_parquet_bytes(stats))
        return dg.MaterializeResult(
            metadata={
                "rewritten": True,
                "dagster/row_count": len(stats),
                "path": dg.MetadataValue.path(lake.uri(key)),
                "spend": round(float(top["spend"].sum()), 2),
                "status": describe_plan(plan),
                "preview": preview(top.drop(columns=["region", "state"])),
            },
            check_results=[check],
        )

    return campaign_stats_asset


def build_expenditures(settings: Settings) -> dg.AssetsDefinition:

    @daily_step(
        settings,
        EXPENDITURES.path[-1],
        include_today=True,
        **_out_asset(
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
    )
    def expenditures(
        context: dg.AssetExecutionContext,
        mongo: MongoStore,
        daily: pd.DataFrame,
        plan: pd.DataFrame,
        active: pd.DataFrame,
    ) -> dg.MaterializeResult:
        written = _to_write(plan)
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
        include_today=True,
        **_out_asset(
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
    )
    def canvases(
        context: dg.AssetExecutionContext,
        mongo: MongoStore,
        maps: ObjectStore,
        totals: pd.DataFrame,
        plan: pd.DataFrame,
        contributions: pd.DataFrame,
    ) -> dg.MaterializeResult:
        written = _to_write(plan)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        figures_as_of = min(day_end_utc(partition_day(context), settings.timezone), now)
        campaign_totals = totals[
            (totals["level"] == "campaign") & totals["campaign_id"].isin(written)
        ]
        documents = canvas_documents(
            contributions[contributions["campaign_id"].isin(written)],
            campaign_totals,
            _map_urls(maps, settings, campaign_totals["campaign_id"]),
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


def build_output_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    return [
        build_reach_map(settings),
        build_campaign_stats_asset(settings),
        build_expenditures(settings),
        build_canvases(settings),
    ]
