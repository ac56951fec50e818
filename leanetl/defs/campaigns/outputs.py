"""What contributors see, written only for campaigns whose insights changed: the stats (lake)
here, the reach map (``reach_map.py``: object store / GCS), expenditures and canvases
(``mongo_outputs.py``: MongoDB); and what the three share."""

from typing import Any

import dagster as dg
import pandas as pd

from leanetl.defs.campaigns.common import (
    ACTIVE_CAMPAIGNS,
    CAMPAIGN_STATS,
    DOMAIN,
    INSIGHTS_CHANGES,
    INSIGHTS_TOTALS,
    REACH_MAP,
)
from leanetl.defs.checks import check_results
from leanetl.defs.metadata import preview
from leanetl.defs.partitions import daily_step
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.parquet import partition_object_key
from leanetl.lib.campaigns.checks import one_total_per_campaign
from leanetl.lib.campaigns.map_store import map_key
from leanetl.lib.campaigns.outputs import APPLY, campaign_stats, describe_plan
from leanetl.lib.parquet import frame_to_parquet_bytes
from leanetl.settings import Settings

OUT = {"layer": "out"}


def to_write(plan: pd.DataFrame) -> set[str]:
    return set(plan.loc[plan["action"] == APPLY, "campaign_id"])


def map_urls(maps: ObjectStore, settings: Settings, campaigns: pd.Series) -> dict[str, str]:
    return {c: map_url(maps, settings, c) for c in campaigns}


def map_url(maps: ObjectStore, settings: Settings, campaign_id: str) -> str:
    """Where contributors open a campaign's map: the public base URL if set, else the store's."""
    key = map_key(campaign_id)
    base = settings.campaigns.maps_public_url
    return f"{base}/{key}" if base else maps.public_url(key)


def out_asset(
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


def build_campaign_stats_asset(settings: Settings) -> dg.AssetsDefinition:

    @daily_step(
        settings,
        CAMPAIGN_STATS.path[-1],
        retries=False,
        **out_asset(
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
        include_today=True,
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
        stats = campaign_stats(totals, currencies, map_urls(maps, settings, active["campaign_id"]))
        top = stats[stats["level"] == "campaign"]
        check = check_results(
            one_total_per_campaign(stats), {"one_total_per_campaign": CAMPAIGN_STATS}
        )[0]
        if not to_write(plan) and lake.exists(key):
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
