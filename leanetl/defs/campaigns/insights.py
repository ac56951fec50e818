"""Ads insights from the Graph API (or the sample), and what changed since the last write."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import dagster as dg
import pandas as pd

from leanetl.defs.campaigns.common import (
    ACTIVE_CAMPAIGNS,
    ADS_INSIGHTS,
    CONTRIBUTIONS,
    DOMAIN,
    INSIGHTS_CHANGES,
    INSIGHTS_QUARANTINE,
    INSIGHTS_TOTALS,
)
from leanetl.defs.campaigns.resources import FacebookInsightsResource, InsightsFetch
from leanetl.defs.checks import check_results
from leanetl.defs.metadata import preview
from leanetl.defs.partitions import daily_step
from leanetl.defs.ranges import carried
from leanetl.defs.sources import (
    SourceKeys,
    SourceRead,
    quarantine_check,
    quarantine_metadata,
    quarantine_out,
    source_checks,
)
from leanetl.io_managers.mongo import MongoStore
from leanetl.lib.campaigns.fetch import fetch_insights
from leanetl.lib.campaigns.insights import insights_checks
from leanetl.lib.campaigns.mongo_sync import last_written
from leanetl.lib.campaigns.outputs import (
    APPLY,
    SUPERSEDED,
    UNCHANGED,
    campaign_fingerprints,
    describe_plan,
    plan_changes,
)
from leanetl.settings import Settings


def catalog(active: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Facebook campaign id -> what the sample source needs to answer like the API."""
    return {
        row.facebook_campaign_id: {
            "account_id": row.ad_account_id,
            "campaign_id": row.facebook_campaign_id,
            "campaign_name": row.name,
            "start": row.start_date.isoformat(),
            "end": row.end_date.isoformat() if pd.notna(row.end_date) else "",
        }
        for row in active.itertuples(index=False)
    }


def _raw_out(key: dg.AssetKey, description: str, kinds: set[str]) -> dg.AssetOut:
    return dg.AssetOut(
        key=key,
        io_manager_key="parquet_io_manager",
        description=description,
        kinds=kinds,
        tags={"layer": "raw"},
    )


def _insights_outs(settings: Settings) -> dict[str, dg.AssetOut]:
    return {
        "daily": _raw_out(
            ADS_INSIGHTS,
            "Facebook ads insights per campaign, day and region over the lookback window "
            f"({settings.campaigns.lookback_days} days, re-fetched for late attribution): "
            "spend, impressions, reach, clicks, conversions.",
            {"facebook", "parquet"},
        ),
        "totals": _raw_out(
            INSIGHTS_TOTALS,
            "Each campaign's totals over its whole period so far, from the API itself "
            "(level campaign, and per region): reach is people counted once, not a sum.",
            {"facebook", "parquet"},
        ),
        "quarantine": quarantine_out(INSIGHTS_KEYS, "Graph API insights rows"),
    }


INSIGHTS_KEYS = SourceKeys(ADS_INSIGHTS, INSIGHTS_QUARANTINE, guarded=False)
INSIGHTS_CHECK_KEYS = {
    "keys_unique": ADS_INSIGHTS,
    "within_campaign_dates": ADS_INSIGHTS,
    "reach_not_summed": INSIGHTS_TOTALS,
    "spend_reconciles": INSIGHTS_TOTALS,
}
INSIGHTS_CHECKS = [
    *source_checks(INSIGHTS_KEYS, "LEANETL_CAMPAIGNS_QUARANTINE_MAX_SHARE"),
    dg.AssetCheckSpec(
        "keys_unique",
        asset=ADS_INSIGHTS,
        blocking=True,
        description="One row per (campaign, day, region).",
    ),
    dg.AssetCheckSpec(
        "within_campaign_dates",
        asset=ADS_INSIGHTS,
        description=(
            "The API returned no row before a campaign starts, after it ends or outside "
            "the days asked for (such rows are dropped and counted per campaign; warns)."
        ),
    ),
    dg.AssetCheckSpec(
        "reach_not_summed",
        asset=INSIGHTS_TOTALS,
        blocking=True,
        description=(
            "A campaign's reach is at least its largest region's and at most the sum of "
            "its regions' (people seen in two regions count once)."
        ),
    ),
    dg.AssetCheckSpec(
        "spend_reconciles",
        asset=INSIGHTS_TOTALS,
        description=(
            "A campaign's total spend equals the sum over its regions, and is at least "
            "the spend of the days in the window."
        ),
    ),
]


def build_fetch_ads_insights(settings: Settings) -> dg.AssetsDefinition:
    @daily_step(
        settings,
        "fetch_ads_insights",
        ins={"active": dg.AssetIn(ACTIVE_CAMPAIGNS)},
        outs=_insights_outs(settings),
        check_specs=INSIGHTS_CHECKS,
        include_today=True,
    )
    def fetch_ads_insights(
        context: dg.AssetExecutionContext,
        facebook: FacebookInsightsResource,
        active: pd.DataFrame,
    ) -> Iterator[dg.Output | dg.AssetCheckResult]:
        lookup = catalog(active)
        calls: list[InsightsFetch] = []

        def fetch(account_id: str, params: dict[str, Any]) -> list[dict[str, Any]]:
            calls.append(facebook.fetch(account_id, params, lookup))
            return calls[-1].rows

        got = fetch_insights(active, fetch, settings.campaigns.conversion_actions)
        if got.out_of_range:
            context.log.warning(
                f"insights rows outside the campaign or asked dates dropped: {got.out_of_range}"
            )
        retried = sorted({code for c in calls for code in c.retried})
        daily = got.daily
        yield dg.Output(
            daily,
            "daily",
            metadata={
                "dagster/row_count": len(daily),
                "campaigns": int(daily["campaign_id"].nunique()),
                "days": f"{daily['day'].min()} to {daily['day'].max()}" if len(daily) else "none",
                "spend": round(float(daily["spend"].sum()), 2),
                "api_calls": sum(c.calls for c in calls),
                "async_report_runs": sum(c.used_async for c in calls),
                "retried_error_codes": str(retried) if retried else "none",
                "waited_seconds": round(sum(c.waited_seconds for c in calls), 1),
                "quarantined_rows": len(got.quarantine),
                "rows_out_of_range": sum(got.out_of_range.values()),
                "rows_out_of_range_by_campaign": dg.MetadataValue.json(got.out_of_range),
                "source": "sample" if facebook.sample else facebook.graph_url,
                "preview": preview(daily),
            },
        )
        yield dg.Output(got.totals, "totals", metadata={"dagster/row_count": len(got.totals)})
        yield dg.Output(got.quarantine, "quarantine", metadata=quarantine_metadata(got.quarantine))
        read = SourceRead(daily, got.quarantine, records=len(daily) + len(got.quarantine))
        yield quarantine_check(INSIGHTS_KEYS, read, settings.campaigns.quarantine_max_share)
        yield from check_results(
            insights_checks(daily, got.totals, got.out_of_range),
            INSIGHTS_CHECK_KEYS,
            warn={"within_campaign_dates"},
        )

    return fetch_ads_insights


CHANGES_OUT = dg.AssetOut(
    key=INSIGHTS_CHANGES,
    io_manager_key="parquet_io_manager",
    kinds={"pandas", "parquet"},
    tags={"layer": "core"},
    description=(
        "Per campaign, a fingerprint of its insights and contributions, and whether its map, "
        "stats, expenditures and canvases must be written (write), are unchanged since their "
        "last write (unchanged), or were written by a later day (superseded)."
    ),
)


def build_insights_changes(settings: Settings) -> dg.AssetsDefinition:
    @daily_step(
        settings,
        "insights_changes",
        ins={
            "daily": dg.AssetIn(ADS_INSIGHTS),
            "totals": dg.AssetIn(INSIGHTS_TOTALS),
            "contributions": dg.AssetIn(CONTRIBUTIONS),
        },
        outs={"plan": CHANGES_OUT},
        include_today=True,
    )
    def insights_changes(
        context: dg.AssetExecutionContext,
        mongo: MongoStore,
        daily: pd.DataFrame,
        totals: pd.DataFrame,
        contributions: pd.DataFrame,
    ) -> dg.Output[pd.DataFrame]:
        prints = campaign_fingerprints(daily, totals, contributions)
        with mongo.session(DOMAIN) as database:
            state = last_written(database)
        # In a run over several days the outputs steps run after every day's plan: what the
        # earlier days' plans will have written by then counts as written.
        planned = carried(context).setdefault("planned_writes", {})
        plan = plan_changes(prints, {**state, **planned}, context.partition_key)
        for row in plan[plan["action"] == APPLY].itertuples(index=False):
            planned[row.campaign_id] = {
                "fingerprint": row.fingerprint,
                "partition": context.partition_key,
                "changed_at": dt.datetime.now(dt.UTC),
            }
        counts = plan["action"].value_counts()
        unchanged = plan[plan["action"] != APPLY]
        return dg.Output(
            plan,
            metadata={
                "dagster/row_count": len(plan),
                "to_write": int(counts.get(APPLY, 0)),
                "unchanged": int(counts.get(UNCHANGED, 0)),
                "superseded": int(counts.get(SUPERSEDED, 0)),
                "status": describe_plan(plan),
                "unchanged_campaigns": preview(unchanged, rows=20),
            },
        )

    return insights_changes


def build_insights_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    return [build_fetch_ads_insights(settings), build_insights_changes(settings)]
