"""Ads insights from the Graph API (or the sample), and what changed since the last write."""

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
    SYNC_COLLECTION,
)
from leanetl.defs.metadata import preview
from leanetl.defs.partitions import ONE_DAY_PER_RUN, daily_partitions, retry_policy
from leanetl.defs.resources import FacebookInsightsResource
from leanetl.io_managers.mongo import MongoStore
from leanetl.lib.campaigns.insights import QUARANTINE_COLUMNS, split_out_of_range, typed_insights
from leanetl.lib.campaigns.insights_requests import CampaignWindow, request_params
from leanetl.lib.campaigns.outputs import (
    APPLY,
    SUPERSEDED,
    UNCHANGED,
    attach_campaigns,
    campaign_fingerprints,
    describe_plan,
    plan_changes,
)
from leanetl.settings import Settings

TOTALS_COLUMNS = (
    "campaign_id",
    "facebook_campaign_id",
    "campaign_name",
    "level",
    "region",
    "state",
    "since",
    "until",
    "spend",
    "impressions",
    "reach",
    "clicks",
    "conversions",
)


def _window(row: Any) -> CampaignWindow:
    return CampaignWindow(row.campaign_id, row.daily_since, row.until, row.totals_since)


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


def build_insights_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    partitions = daily_partitions(settings, include_today=True)
    counted = settings.conversion_actions

    @dg.multi_asset(
        name="fetch_ads_insights",
        group_name=DOMAIN,
        partitions_def=partitions,
        backfill_policy=ONE_DAY_PER_RUN,
        retry_policy=retry_policy(settings),
        ins={"active": dg.AssetIn(ACTIVE_CAMPAIGNS)},
        outs={
            "daily": dg.AssetOut(
                key=ADS_INSIGHTS,
                io_manager_key="parquet_io_manager",
                description=(
                    "Facebook ads insights per campaign, day and region over the lookback window "
                    f"({settings.campaigns_lookback_days} days, re-fetched for late attribution): "
                    "spend, impressions, reach, clicks, conversions."
                ),
                kinds={"facebook", "parquet"},
                tags={"layer": "raw"},
            ),
            "totals": dg.AssetOut(
                key=INSIGHTS_TOTALS,
                io_manager_key="parquet_io_manager",
                description=(
                    "Each campaign's totals over its whole period so far, from the API itself "
                    "(level campaign, and per region): reach is people counted once, not a sum."
                ),
                kinds={"facebook", "parquet"},
                tags={"layer": "raw"},
            ),
            "quarantine": dg.AssetOut(
                key=INSIGHTS_QUARANTINE,
                io_manager_key="parquet_io_manager",
                description="Insights rows whose numbers could not be read, with the reason.",
                kinds={"parquet"},
                tags={"layer": "raw"},
            ),
        },
        check_specs=[
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
        ],
    )
    def fetch_ads_insights(
        context: dg.AssetExecutionContext,
        facebook: FacebookInsightsResource,
        active: pd.DataFrame,
    ):
        lookup = catalog(active)
        to_campaign = dict(zip(active["facebook_campaign_id"], active["campaign_id"], strict=True))
        daily_records: list[dict] = []
        totals_parts: list[pd.DataFrame] = []
        bad: list[pd.DataFrame] = []
        calls, waited, async_runs, retried = 0, 0.0, 0, []
        for row in active.itertuples(index=False):
            window = _window(row)
            for kind in ("daily", "campaign_totals", "region_totals"):
                params = request_params(kind, row.facebook_campaign_id, window)
                got = facebook.fetch(row.ad_account_id, params, lookup)
                calls += got.calls
                waited += got.waited_seconds
                async_runs += got.used_async
                retried += got.retried
                if kind == "daily":
                    daily_records += got.rows
                    continue
                typed = typed_insights(got.rows, counted)
                bad.append(typed.quarantine.assign(request=kind))
                part = attach_campaigns(typed.rows, to_campaign).drop(columns=["day"])
                part["level"] = "campaign" if kind == "campaign_totals" else "region"
                if kind == "campaign_totals":
                    part["region"], part["state"] = None, None
                part["since"], part["until"] = window.totals_since, window.until
                totals_parts.append(part)
        typed_daily = typed_insights(daily_records, counted)
        bad.append(typed_daily.quarantine.assign(request="daily"))
        daily, out_of_range = split_out_of_range(
            attach_campaigns(typed_daily.rows, to_campaign), active
        )
        if out_of_range:
            context.log.warning(
                f"insights rows outside the campaign or asked dates dropped: {out_of_range}"
            )
        totals = (
            pd.concat(totals_parts, ignore_index=True)[list(TOTALS_COLUMNS)]
            if totals_parts
            else pd.DataFrame(columns=list(TOTALS_COLUMNS))
        )
        quarantine = (
            pd.concat(bad, ignore_index=True)
            if bad
            else pd.DataFrame(columns=[*QUARANTINE_COLUMNS, "request"])
        )
        yield dg.Output(
            daily,
            "daily",
            metadata={
                "dagster/row_count": len(daily),
                "campaigns": int(daily["campaign_id"].nunique()),
                "days": f"{daily['day'].min()} to {daily['day'].max()}" if len(daily) else "none",
                "spend": round(float(daily["spend"].sum()), 2),
                "api_calls": calls,
                "async_report_runs": async_runs,
                "retried_error_codes": str(sorted(set(retried))) if retried else "none",
                "waited_seconds": round(waited, 1),
                "quarantined_rows": len(quarantine),
                "rows_out_of_range": sum(out_of_range.values()),
                "rows_out_of_range_by_campaign": dg.MetadataValue.json(out_of_range),
                "source": "sample" if facebook.sample else facebook.graph_url,
                "preview": preview(daily),
            },
        )
        yield dg.Output(totals, "totals", metadata={"dagster/row_count": len(totals)})
        yield dg.Output(quarantine, "quarantine", metadata={"dagster/row_count": len(quarantine)})
        yield from _insights_checks(daily, totals, out_of_range)

    @dg.multi_asset(
        name="insights_changes",
        group_name=DOMAIN,
        partitions_def=partitions,
        backfill_policy=ONE_DAY_PER_RUN,
        ins={
            "daily": dg.AssetIn(ADS_INSIGHTS),
            "totals": dg.AssetIn(INSIGHTS_TOTALS),
            "contributions": dg.AssetIn(CONTRIBUTIONS),
        },
        outs={
            "plan": dg.AssetOut(
                key=INSIGHTS_CHANGES,
                io_manager_key="parquet_io_manager",
                kinds={"pandas", "parquet"},
                tags={"layer": "core"},
                description=(
                    "Per campaign, a fingerprint of its insights and contributions, and whether "
                    "its map, stats, expenditures and canvases must be written (write), are "
                    "unchanged since their last write (unchanged), or were written by a later "
                    "day (superseded)."
                ),
            )
        },
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
            state = {d["_id"]: d for d in database[SYNC_COLLECTION].find({})}
        plan = plan_changes(prints, state, context.partition_key)
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

    return [fetch_ads_insights, insights_changes]


def _insights_checks(daily: pd.DataFrame, totals: pd.DataFrame, out_of_range: dict[str, int]):
    keys = ["campaign_id", "day", "region"]
    duplicated = daily.duplicated(keys)
    yield dg.AssetCheckResult(
        check_name="keys_unique",
        asset_key=ADS_INSIGHTS,
        passed=not bool(duplicated.any()),
        metadata={"duplicates": int(duplicated.sum())},
    )
    yield dg.AssetCheckResult(
        check_name="within_campaign_dates",
        asset_key=ADS_INSIGHTS,
        passed=not out_of_range,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "rows_dropped": sum(out_of_range.values()),
            "rows_dropped_by_campaign": dg.MetadataValue.json(out_of_range),
        },
    )
    campaign = totals[totals["level"] == "campaign"].set_index("campaign_id")
    regions = totals[totals["level"] == "region"].groupby("campaign_id")
    reach_sum, reach_max = regions["reach"].sum(), regions["reach"].max()
    spend_regions = regions["spend"].sum()
    spend_window = daily.groupby("campaign_id")["spend"].sum()
    bad_reach, bad_spend = [], []
    tolerance = 0.01 * (1 + len(totals))
    for campaign_id, row in campaign.iterrows():
        if not reach_max.get(campaign_id, 0) <= row["reach"] <= reach_sum.get(campaign_id, 0):
            bad_reach.append(campaign_id)
        if abs(row["spend"] - spend_regions.get(campaign_id, 0)) > tolerance or (
            spend_window.get(campaign_id, 0) > row["spend"] + tolerance
        ):
            bad_spend.append(campaign_id)
    yield dg.AssetCheckResult(
        check_name="reach_not_summed",
        asset_key=INSIGHTS_TOTALS,
        passed=not bad_reach,
        metadata={"campaigns_failing": ", ".join(bad_reach) or "none"},
    )
    yield dg.AssetCheckResult(
        check_name="spend_reconciles",
        asset_key=INSIGHTS_TOTALS,
        passed=not bad_spend,
        metadata={"campaigns_failing": ", ".join(bad_spend) or "none"},
    )
