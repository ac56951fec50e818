"""Keys and the retry policy shared by the leads assets."""

import dagster as dg

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
