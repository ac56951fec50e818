"""The platform's campaigns and contributions, read from MongoDB and validated."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import dagster as dg
import pandas as pd

from leanetl.defs.campaigns.common import (
    ACTIVE_CAMPAIGNS,
    CAMPAIGNS_COLLECTION,
    CAMPAIGNS_QUARANTINE,
    CONTRIBUTIONS,
    CONTRIBUTIONS_COLLECTION,
    CONTRIBUTIONS_QUARANTINE,
    DOMAIN,
)
from leanetl.defs.metadata import preview
from leanetl.defs.partitions import ONE_DAY_PER_RUN, daily_partitions, partition_day, retry_policy
from leanetl.defs.source_guard import (
    ROWS_METADATA,
    SourceConfig,
    guard_source,
    truncation_check_spec,
)
from leanetl.io_managers.mongo import MongoStore
from leanetl.lib.calendar import day_end_utc
from leanetl.lib.campaigns.documents import Campaign, Contribution, validate_documents
from leanetl.lib.campaigns.insights_requests import campaign_window
from leanetl.sample.campaigns import seed_sample
from leanetl.settings import Settings

CAMPAIGN_COLUMNS = (
    "campaign_id",
    "name",
    "status",
    "start_date",
    "end_date",
    "goal",
    "raised",
    "currency",
    "ad_account_id",
    "facebook_campaign_id",
    "active_on_day",
    "daily_since",
    "until",
    "totals_since",
)
CONTRIBUTION_COLUMNS = ("contribution_id", "campaign_id", "user_id", "amount", "at")
QUARANTINE_COLUMNS = ("document_id", "reason")


def _quarantine_out(key: dg.AssetKey, what: str, is_required: bool = True) -> dg.AssetOut:
    # Kept in the platform's own MongoDB, beside the collection they came from, so the team
    # that owns the documents sees what leanetl could not use (one committed batch per day).
    return dg.AssetOut(
        key=key,
        io_manager_key="mongo_io_manager",
        description=(
            f"{what} documents that failed validation: their _id and the reason, in the MongoDB "
            f"collection campaigns.{key.path[-1]} (one batch per partition day)."
        ),
        kinds={"mongodb"},
        tags={"layer": "core"},
        is_required=is_required,
    )


def quarantine_frame(quarantine: list[dict[str, str]]) -> pd.DataFrame:
    """The documents that failed validation: their ``_id`` as ``document_id``, and the reason."""
    return pd.DataFrame(
        [{"document_id": q["_id"], "reason": q["reason"]} for q in quarantine],
        columns=list(QUARANTINE_COLUMNS),
    )


def campaign_rows(
    campaigns: list[Campaign], day: dt.date, lookback_days: int, today: dt.date
) -> pd.DataFrame:
    """Campaigns that ran within the lookback window ending on ``day``, with what to fetch."""
    rows = []
    for campaign in campaigns:
        window = campaign_window(campaign, day, lookback_days, today)
        if window is None:
            continue
        rows.append(
            {
                "campaign_id": campaign.id,
                "name": campaign.name,
                "status": campaign.status,
                "start_date": campaign.start_date,
                "end_date": campaign.end_date,
                "goal": campaign.goal,
                "raised": campaign.raised,
                "currency": campaign.currency,
                "ad_account_id": campaign.facebook.ad_account_id,
                "facebook_campaign_id": campaign.facebook.campaign_id,
                "active_on_day": campaign.ran_on(day),
                "daily_since": window.daily_since,
                "until": window.until,
                "totals_since": window.totals_since,
            }
        )
    frame = pd.DataFrame(rows, columns=list(CAMPAIGN_COLUMNS))
    return frame.sort_values("campaign_id").reset_index(drop=True)


def read_collection(mongo: MongoStore, collection: str, settings: Settings) -> list[dict[str, Any]]:
    """Every document of a platform collection (locally seeded with the sample first)."""
    with mongo.session(DOMAIN) as database:
        if settings.is_local:
            seed_sample(database, settings.today())
        return list(database[collection].find({}))


def build_read_campaigns(settings: Settings) -> dg.AssetsDefinition:
    partitions = daily_partitions(settings, include_today=True)

    @dg.multi_asset(
        name="read_campaigns",
        retry_policy=retry_policy(settings),
        group_name=DOMAIN,
        partitions_def=partitions,
        backfill_policy=ONE_DAY_PER_RUN,
        outs={
            "active": dg.AssetOut(
                key=ACTIVE_CAMPAIGNS,
                io_manager_key="parquet_io_manager",
                description=(
                    "Campaigns whose ads ran on the partition day (active_on_day), plus those "
                    f"that ended within the last {settings.campaigns_lookback_days} days, whose "
                    "late attribution is still fetched; with the days to fetch for each."
                ),
                kinds={"mongodb", "parquet"},
                tags={"layer": "raw"},
                metadata={"columns": list(CAMPAIGN_COLUMNS)},
                # Not written when the collection looks truncated (the blocking check fails).
                is_required=False,
            ),
            "quarantine": _quarantine_out(CAMPAIGNS_QUARANTINE, "Campaign", is_required=False),
        },
        check_specs=[
            truncation_check_spec(ACTIVE_CAMPAIGNS),
            dg.AssetCheckSpec(
                "ids_unique",
                asset=ACTIVE_CAMPAIGNS,
                blocking=True,
                description="One row per campaign and one campaign per Facebook campaign id.",
            ),
        ],
    )
    def read_campaigns(
        context: dg.AssetExecutionContext, config: SourceConfig, mongo: MongoStore
    ) -> Iterator[dg.Output | dg.AssetCheckResult]:
        day = partition_day(context)
        documents = read_collection(mongo, CAMPAIGNS_COLLECTION, settings)
        guard = yield from guard_source(context, ACTIVE_CAMPAIGNS, len(documents), settings, config)
        checked = validate_documents(documents, Campaign)
        frame = campaign_rows(
            checked.valid, day, settings.campaigns_lookback_days, settings.today()
        )
        quarantine = quarantine_frame(checked.quarantine)
        if len(quarantine):
            context.log.warning(
                f"{len(quarantine)} campaign document(s) failed validation: "
                + "; ".join(f"{q['_id']}: {q['reason']}" for q in checked.quarantine[:5])
            )
        yield dg.Output(
            frame,
            "active",
            metadata={
                "dagster/row_count": len(frame),
                "active_on_day": int(frame["active_on_day"].sum()),
                ROWS_METADATA: len(documents),
                "quarantined_documents": len(quarantine),
                "preview": preview(
                    frame[["campaign_id", "name", "status", "daily_since", "until"]]
                ),
            },
        )
        yield dg.Output(quarantine, "quarantine", metadata={"dagster/row_count": len(quarantine)})
        yield guard
        duplicated = frame["campaign_id"].duplicated() | frame["facebook_campaign_id"].duplicated()
        yield dg.AssetCheckResult(
            check_name="ids_unique",
            asset_key=ACTIVE_CAMPAIGNS,
            passed=not bool(duplicated.any()),
            metadata={"duplicates": frame.loc[duplicated, "campaign_id"].tolist()},
        )

    return read_campaigns


def build_read_contributions(settings: Settings) -> dg.AssetsDefinition:
    partitions = daily_partitions(settings, include_today=True)

    @dg.multi_asset(
        name="read_contributions",
        retry_policy=retry_policy(settings),
        group_name=DOMAIN,
        partitions_def=partitions,
        backfill_policy=ONE_DAY_PER_RUN,
        ins={"active": dg.AssetIn(ACTIVE_CAMPAIGNS)},
        outs={
            "contributions": dg.AssetOut(
                key=CONTRIBUTIONS,
                io_manager_key="parquet_io_manager",
                description="Contributions to the fetched campaigns made by the end of the day.",
                kinds={"mongodb", "parquet"},
                tags={"layer": "raw"},
                metadata={"columns": list(CONTRIBUTION_COLUMNS)},
            ),
            "quarantine": _quarantine_out(CONTRIBUTIONS_QUARANTINE, "Contribution"),
        },
    )
    def read_contributions(
        context: dg.AssetExecutionContext, mongo: MongoStore, active: pd.DataFrame
    ):
        cutoff = day_end_utc(partition_day(context), settings.timezone).replace(tzinfo=dt.UTC)
        documents = read_collection(mongo, CONTRIBUTIONS_COLLECTION, settings)
        checked = validate_documents(documents, Contribution)
        wanted = set(active["campaign_id"])
        frame = pd.DataFrame(
            [
                {
                    "contribution_id": c.id,
                    "campaign_id": c.campaign_id,
                    "user_id": c.user_id,
                    "amount": c.amount,
                    "at": c.at,
                }
                for c in checked.valid
                if c.campaign_id in wanted and c.at < cutoff
            ],
            columns=list(CONTRIBUTION_COLUMNS),
        ).sort_values("contribution_id", ignore_index=True)
        quarantine = quarantine_frame(checked.quarantine)
        yield dg.Output(
            frame,
            "contributions",
            metadata={
                "dagster/row_count": len(frame),
                "contributors": int(frame["user_id"].nunique()),
                "amount": round(float(frame["amount"].sum()), 2),
                "quarantined_documents": len(quarantine),
            },
        )
        yield dg.Output(quarantine, "quarantine", metadata={"dagster/row_count": len(quarantine)})

    return read_contributions


def build_source_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    return [build_read_campaigns(settings), build_read_contributions(settings)]
