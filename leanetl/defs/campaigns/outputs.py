"""What contributors see, written only for campaigns whose insights changed: the reach map
(object store / GCS), stats (lake), expenditures and canvases (MongoDB)."""

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
    REACH_MAP,
    SYNC_COLLECTION,
    as_of,
    map_key,
    public_url,
)
from leanetl.defs.campaigns.insights import describe_plan
from leanetl.defs.metadata import preview
from leanetl.defs.partitions import (
    ONE_DAY_PER_RUN,
    daily_partitions,
    out_freshness,
    partition_day,
    retry_policy,
)
from leanetl.io_managers.mongo import MongoStore, UpsertStats, upsert_documents
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.parquet import partition_object_key
from leanetl.lib.campaign_outputs import (
    APPLY,
    campaign_stats,
    canvas_documents,
    expenditure_documents,
)
from leanetl.lib.parquet import frame_to_parquet_bytes
from leanetl.lib.reach_map import offline_html, png_images, reach_map_figure
from leanetl.settings import Settings

OUT = {"layer": "out"}


def _to_write(plan: pd.DataFrame) -> set[str]:
    return set(plan.loc[plan["action"] == APPLY, "campaign_id"])


def _map_urls(maps: ObjectStore, settings: Settings, campaigns: pd.Series) -> dict[str, str]:
    return {c: public_url(maps, map_key(c), settings.campaign_maps_public_url) for c in campaigns}


def _spec(
    settings: Settings,
    key: dg.AssetKey,
    description: str,
    kinds: set[str],
    deps: list[dg.AssetKey],
) -> dg.AssetSpec:
    """An out asset written by its own code (object store or Mongo), kept fresh."""
    return dg.AssetSpec(
        key,
        group_name=DOMAIN,
        deps=deps,
        kinds=kinds,
        tags=OUT,
        freshness_policy=out_freshness(settings),
        description=description,
    )


def _upsert_metadata(stats: UpsertStats) -> dict[str, int]:
    return {
        "inserted": stats.inserted,
        "updated": stats.updated,
        "unchanged_documents": stats.unchanged,
        "mongo_write_round_trips": stats.write_round_trips,
        "mongo_read_round_trips": stats.read_round_trips,
    }


def build_output_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    partitions = daily_partitions(settings, include_today=True)
    common = {
        "partitions_def": partitions,
        "backfill_policy": ONE_DAY_PER_RUN,
    }

    @dg.multi_asset(
        name="reach_map",
        specs=[
            _spec(
                settings,
                REACH_MAP,
                "Per campaign, a choropleth of the people reached by US state (other regions "
                "listed beside it): self-contained HTML that opens offline, and PNG, uploaded to "
                f"{settings.campaign_maps_url}. Only campaigns whose insights changed are redrawn.",
                {"plotly", "gcs"},
                [INSIGHTS_TOTALS, INSIGHTS_CHANGES],
            )
        ],
        **common,
        retry_policy=retry_policy(settings),
        ins={"totals": dg.AssetIn(INSIGHTS_TOTALS), "plan": dg.AssetIn(INSIGHTS_CHANGES)},
    )
    def reach_map(
        context: dg.AssetExecutionContext,
        maps: ObjectStore,
        totals: pd.DataFrame,
        plan: pd.DataFrame,
    ) -> dg.MaterializeResult:
        regions = totals[totals["level"] == "region"]
        figures = {}
        for campaign_id in sorted(_to_write(plan)):
            rows = regions[regions["campaign_id"] == campaign_id]
            name = rows["campaign_name"].iloc[0] if len(rows) else campaign_id
            states = rows[rows["state"].notna()].groupby("state", as_index=False)["reach"].sum()
            others = rows.loc[rows["state"].isna(), ["region", "reach"]]
            whole = totals[(totals["level"] == "campaign") & (totals["campaign_id"] == campaign_id)]
            figures[campaign_id] = reach_map_figure(
                states,
                others,
                f"People reached: {name}",
                int(whole["reach"].iloc[0]) if len(whole) else None,
            )
        images, png_note = png_images(list(figures.values()))
        uploaded: dict[str, str] = {}
        for i, (campaign_id, figure) in enumerate(figures.items()):
            html_key = map_key(campaign_id)
            maps.put_bytes(html_key, offline_html(figure).encode(), content_type="text/html")
            if images:
                maps.put_bytes(map_key(campaign_id, "png"), images[i], content_type="image/png")
            uploaded[campaign_id] = public_url(maps, html_key, settings.campaign_maps_public_url)
        return dg.MaterializeResult(
            metadata={
                "maps_uploaded": len(uploaded),
                "status": describe_plan(plan),
                "urls": dg.MetadataValue.md(
                    "\n".join(f"- {c}: {u}" for c, u in uploaded.items()) or "_none uploaded_"
                ),
                "png": png_note if figures else "no map drawn",
                "store": maps.uri("reach-maps"),
            }
        )

    @dg.multi_asset(
        name="campaign_stats",
        specs=[
            _spec(
                settings,
                CAMPAIGN_STATS,
                "Spend, reach, impressions, clicks, conversions, conversion rate and cost per "
                "result, per campaign and per region, over each campaign's period so far, with "
                "its map URL. Not rewritten when no campaign changed.",
                {"pandas", "parquet"},
                [REACH_MAP, INSIGHTS_TOTALS, INSIGHTS_CHANGES, ACTIVE_CAMPAIGNS],
            )
        ],
        **common,
        ins={
            "totals": dg.AssetIn(INSIGHTS_TOTALS),
            "plan": dg.AssetIn(INSIGHTS_CHANGES),
            "active": dg.AssetIn(ACTIVE_CAMPAIGNS),
        },
        check_specs=[
            dg.AssetCheckSpec(
                "one_total_per_campaign",
                asset=CAMPAIGN_STATS,
                blocking=True,
                description="Exactly one campaign-level row per campaign, ratios not negative.",
            )
        ],
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
        passed = (not top["campaign_id"].duplicated().any()) and bool(
            (stats[["conversion_rate", "cost_per_result"]].fillna(0) >= 0).all().all()
        )
        check = dg.AssetCheckResult(
            check_name="one_total_per_campaign",
            passed=passed,
            metadata={"campaigns": len(top)},
        )
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

    @dg.multi_asset(
        name="expenditures",
        specs=[
            _spec(
                settings,
                EXPENDITURES,
                "MongoDB `expenditures`: one document per (campaign, day, channel) of the "
                "lookback window, upserted in unordered bulk_write batches; only changed "
                "documents are written.",
                {"mongodb"},
                [ADS_INSIGHTS, INSIGHTS_CHANGES, ACTIVE_CAMPAIGNS],
            )
        ],
        **common,
        retry_policy=retry_policy(settings),
        ins={
            "daily": dg.AssetIn(ADS_INSIGHTS),
            "plan": dg.AssetIn(INSIGHTS_CHANGES),
            "active": dg.AssetIn(ACTIVE_CAMPAIGNS),
        },
        check_specs=[
            dg.AssetCheckSpec(
                "matches_insights",
                asset=EXPENDITURES,
                blocking=True,
                description="Mongo holds each written campaign's daily spend exactly as fetched.",
            )
        ],
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
        mismatched = [d["_id"] for d in documents if stored.get(d["_id"]) != d["spend"]]
        return dg.MaterializeResult(
            metadata={
                **_upsert_metadata(stats),
                "documents": len(documents),
                "campaigns_written": len(written),
                "status": describe_plan(plan),
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name="matches_insights",
                    passed=not mismatched,
                    metadata={"mismatched": ", ".join(mismatched[:10]) or "none"},
                )
            ],
        )

    @dg.multi_asset(
        name="canvases",
        specs=[
            _spec(
                settings,
                CANVASES,
                "MongoDB `canvases`: per (contributor, campaign) the amount contributed, share "
                "of funds, share of spend, people reached by that share, cost per person "
                "reached, the map URL and the as-of time. Written last; then the campaign "
                "counts as up to date.",
                {"mongodb"},
                [EXPENDITURES, CAMPAIGN_STATS, INSIGHTS_TOTALS, INSIGHTS_CHANGES, CONTRIBUTIONS],
            )
        ],
        **common,
        retry_policy=retry_policy(settings),
        ins={
            "totals": dg.AssetIn(INSIGHTS_TOTALS),
            "plan": dg.AssetIn(INSIGHTS_CHANGES),
            "contributions": dg.AssetIn(CONTRIBUTIONS),
        },
        check_specs=[
            dg.AssetCheckSpec(
                "shares_add_up",
                asset=CANVASES,
                blocking=True,
                description="Per written campaign, contributors' shares of funds add up to 1.",
            )
        ],
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
        figures_as_of = min(as_of(partition_day(context), settings.timezone), now)
        campaign_totals = totals[
            (totals["level"] == "campaign") & totals["campaign_id"].isin(written)
        ]
        documents = canvas_documents(
            contributions[contributions["campaign_id"].isin(written)],
            campaign_totals,
            _map_urls(maps, settings, campaign_totals["campaign_id"]),
            figures_as_of,
        )
        shares = pd.DataFrame(documents, columns=["campaign_id", "share_of_funds"])
        sums = shares.groupby("campaign_id")["share_of_funds"].sum()
        off = sums[(sums - 1).abs() > 1e-3]
        with mongo.session(DOMAIN) as database:
            stats = upsert_documents(
                database[CANVASES_COLLECTION],
                [{**d, "updated_at": now} for d in documents],
                ignore_fields=("updated_at", "as_of"),
            )
            # Only now are the campaign's outputs complete: remember what they were made of.
            for row in plan[plan["action"] == APPLY].itertuples(index=False):
                database[SYNC_COLLECTION].replace_one(
                    {"_id": row.campaign_id},
                    {
                        "_id": row.campaign_id,
                        "fingerprint": row.fingerprint,
                        "partition": context.partition_key,
                        "changed_at": now,
                    },
                    upsert=True,
                )
        return dg.MaterializeResult(
            metadata={
                **_upsert_metadata(stats),
                "documents": len(documents),
                "contributors": int(shares.shape[0]),
                "campaigns_written": len(written),
                "status": describe_plan(plan),
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name="shares_add_up",
                    passed=off.empty,
                    metadata={"campaigns_off": ", ".join(off.index) or "none"},
                )
            ],
        )

    return [reach_map, campaign_stats_asset, expenditures, canvases]
