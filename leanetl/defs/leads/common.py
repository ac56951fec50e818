"""Keys, retry policy and helpers shared by the leads assets."""

import datetime as dt

import dagster as dg
import pandas as pd

from leanetl.settings import Settings

DOMAIN = "leads"
LEADS_RAW = dg.AssetKey([DOMAIN, "leads_raw"])
COMPANIES_RAW = dg.AssetKey([DOMAIN, "companies_raw"])
LEADS = dg.AssetKey([DOMAIN, "leads"])
COMPANIES = dg.AssetKey([DOMAIN, "companies"])


def retry_policy(settings: Settings) -> dg.RetryPolicy:
    """Retries for steps that talk to outside systems: exponential backoff with jitter."""
    return dg.RetryPolicy(
        max_retries=settings.retries,
        delay=settings.retry_delay_seconds,
        backoff=dg.Backoff.EXPONENTIAL,
        jitter=dg.Jitter.PLUS_MINUS,
    )


def preview(frame: pd.DataFrame, rows: int = 5) -> dg.MetadataValue:
    return dg.MetadataValue.md(
        frame.head(rows).to_markdown(index=False) if len(frame) else "_empty_"
    )


def window(instants: pd.Series) -> str:
    """'2025-01-02 10:00 to 2025-03-04 09:00 UTC' or 'no rows'."""
    if instants.dropna().empty:
        return "no rows"
    return f"{instants.min():%Y-%m-%d %H:%M} to {instants.max():%Y-%m-%d %H:%M} UTC"


def day_of(context: dg.AssetExecutionContext) -> dt.date:
    return dt.date.fromisoformat(context.partition_key)
