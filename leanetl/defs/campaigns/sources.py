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
from leanetl.defs.checks import check_results
from leanetl.defs.metadata import preview
from leanetl.defs.partitions import daily_step, partition_day
from leanetl.defs.sources import (
    SourceConfig,
    SourceKeys,
    SourceRead,
    no_source,
    publish_source,
    quarantine_out,
    source_checks,
)
from leanetl.io_managers.mongo import MongoStore
from leanetl.lib.calendar import day_end_utc
from leanetl.lib.campaigns.checks import ids_unique
from leanetl.lib.campaigns.documents import (
    CONTRIBUTION_COLUMNS,
    Campaign,
    Contribution,
    Validated,
    contribution_rows,
    validate_documents,
)
from leanetl.lib.campaigns.insights_requests import CAMPAIGN_COLUMNS, campaign_rows
from leanetl.settings import Settings

CAMPAIGNS_KEYS = SourceKeys(ACTIVE_CAMPAIGNS, CAMPAIGNS_QUARANTINE)
# Contributions are read in the same run as the campaigns, whose read is the guarded one.
CONTRIBUTIONS_KEYS = SourceKeys(CONTRIBUTIONS, CONTRIBUTIONS_QUARANTINE, guarded=False)
LIMIT_SETTING = "LEANETL_CAMPAIGNS_QUARANTINE_MAX_SHARE"


def _quarantine_out(keys: SourceKeys, what: str, is_required: bool = True) -> dg.AssetOut:
    # Kept in the platform's own MongoDB, beside the collection they came from, so the team
    # that owns the documents sees what leanetl could not use (one committed batch per day).
    return quarantine_out(
        keys, what, io_manager_key="mongo_io_manager", layer="core", is_required=is_required
    )


def documents_read(
    documents: list[dict[str, Any]],
    checked: Validated[Any],
    collection: str,
    rows: pd.DataFrame,
    **metadata: Any,
) -> SourceRead:
    """A collection's read: the rows made of its valid documents, the invalid ones quarantined."""
    return SourceRead(
        rows=rows,
        quarantine=checked.quarantine_frame(f"mongodb {DOMAIN}.{collection}"),
        records=len(documents),
        metadata=metadata,
    )


def read_collection(mongo: MongoStore, collection: str) -> list[dict[str, Any]]:
    """Every document of a platform collection (read only; the sample is ``make sample``'s)."""
    with mongo.session(DOMAIN, source=True) as database:
        return list(database[collection].find({}))


def build_read_campaigns(settings: Settings) -> dg.AssetsDefinition:
    @daily_step(
        settings,
        "read_campaigns",
        outs={
            CAMPAIGNS_KEYS.rows_output: dg.AssetOut(
                key=ACTIVE_CAMPAIGNS,
                io_manager_key="parquet_io_manager",
                description=(
                    "Campaigns whose ads ran on the partition day (active_on_day), plus those "
                    f"that ended within the last {settings.campaigns.lookback_days} days, whose "
                    "late attribution is still fetched; with the days to fetch for each."
                ),
                kinds={"mongodb", "parquet"},
                tags={"layer": "raw"},
                metadata={"columns": list(CAMPAIGN_COLUMNS)},
                # Not written when the collection looks truncated (the blocking check fails).
                is_required=False,
            ),
            CAMPAIGNS_KEYS.quarantine_output: _quarantine_out(
                CAMPAIGNS_KEYS, "Campaign documents", is_required=False
            ),
        },
        check_specs=[
            *source_checks(CAMPAIGNS_KEYS, LIMIT_SETTING),
            dg.AssetCheckSpec(
                "ids_unique",
                asset=ACTIVE_CAMPAIGNS,
                blocking=True,
                description="One row per campaign and one campaign per Facebook campaign id.",
            ),
        ],
        include_today=True,
    )
    def read_campaigns(
        context: dg.AssetExecutionContext, config: SourceConfig, mongo: MongoStore
    ) -> Iterator[dg.Output | dg.AssetCheckResult]:
        day = partition_day(context)
        documents = read_collection(mongo, CAMPAIGNS_COLLECTION)
        if not documents:
            raise no_source("campaigns", f"MongoDB {DOMAIN}.{CAMPAIGNS_COLLECTION}", "documents")
        checked = validate_documents(documents, Campaign)
        frame = campaign_rows(
            checked.valid, day, settings.campaigns.lookback_days, settings.today()
        )
        read = documents_read(
            documents,
            checked,
            CAMPAIGNS_COLLECTION,
            frame,
            active_on_day=int(frame["active_on_day"].sum()),
            preview=preview(frame[["campaign_id", "name", "status", "daily_since", "until"]]),
        )
        limit = settings.campaigns.quarantine_max_share
        yield from publish_source(context, CAMPAIGNS_KEYS, read, limit, guard=(settings, config))
        yield from check_results(ids_unique(frame), {"ids_unique": ACTIVE_CAMPAIGNS})

    return read_campaigns


def build_read_contributions(settings: Settings) -> dg.AssetsDefinition:
    @daily_step(
        settings,
        "read_contributions",
        ins={"active": dg.AssetIn(ACTIVE_CAMPAIGNS)},
        outs={
            CONTRIBUTIONS_KEYS.rows_output: dg.AssetOut(
                key=CONTRIBUTIONS,
                io_manager_key="parquet_io_manager",
                description="Contributions to the fetched campaigns made by the end of the day.",
                kinds={"mongodb", "parquet"},
                tags={"layer": "raw"},
                metadata={"columns": list(CONTRIBUTION_COLUMNS)},
            ),
            CONTRIBUTIONS_KEYS.quarantine_output: _quarantine_out(
                CONTRIBUTIONS_KEYS, "Contribution documents"
            ),
        },
        check_specs=source_checks(CONTRIBUTIONS_KEYS, LIMIT_SETTING),
        include_today=True,
    )
    def read_contributions(
        context: dg.AssetExecutionContext, mongo: MongoStore, active: pd.DataFrame
    ) -> Iterator[dg.Output | dg.AssetCheckResult]:
        cutoff = day_end_utc(partition_day(context), settings.timezone).replace(tzinfo=dt.UTC)
        documents = read_collection(mongo, CONTRIBUTIONS_COLLECTION)
        checked = validate_documents(documents, Contribution)
        frame = contribution_rows(checked.valid, set(active["campaign_id"]), cutoff)
        read = documents_read(
            documents,
            checked,
            CONTRIBUTIONS_COLLECTION,
            frame,
            contributors=int(frame["user_id"].nunique()),
            amount=round(float(frame["amount"].sum()), 2),
        )
        limit = settings.campaigns.quarantine_max_share
        yield from publish_source(context, CONTRIBUTIONS_KEYS, read, limit)

    return read_contributions


def build_source_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    return [build_read_campaigns(settings), build_read_contributions(settings)]
