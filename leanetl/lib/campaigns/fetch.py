"""Every insights request of the active campaigns, typed into daily rows, API totals and a
quarantine (pure: the Graph API, or the sample, comes in as a ``fetch`` function)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from leanetl.lib.campaigns.insights import SCOPE_COLUMNS, split_out_of_range, typed_insights
from leanetl.lib.campaigns.insights_requests import REQUEST_KINDS, CampaignWindow, request_params
from leanetl.lib.campaigns.outputs import attach_campaigns
from leanetl.lib.quarantine import combine

SOURCE = "graph api insights"  # + the request kind: daily, campaign_totals, region_totals

TOTALS_COLUMNS = (
    "campaign_id",
    "facebook_campaign_id",
    "campaign_name",
    *SCOPE_COLUMNS,
    "spend",
    "impressions",
    "reach",
    "clicks",
    "conversions",
)

# (ad account id without act_, Graph API params) -> the rows the API answered
Fetch = Callable[[str, dict[str, Any]], list[dict[str, Any]]]


@dataclass(frozen=True)
class FetchedInsights:
    daily: pd.DataFrame  # campaign x day x region, inside each campaign's dates
    totals: pd.DataFrame  # the API's own totals per campaign (level campaign) and region
    quarantine: pd.DataFrame  # rows that could not be read; source names the request kind
    out_of_range: dict[str, int]  # daily rows dropped per campaign: outside its dates


def _window(row: Any) -> CampaignWindow:
    return CampaignWindow(row.campaign_id, row.daily_since, row.until, row.totals_since)


def _totals_part(
    rows: pd.DataFrame, kind: str, window: CampaignWindow, to_campaign: dict[str, str]
) -> pd.DataFrame:
    part = attach_campaigns(rows, to_campaign).drop(columns=["day"])
    part["level"] = "campaign" if kind == "campaign_totals" else "region"
    if kind == "campaign_totals":
        part["region"], part["state"] = None, None
    part["since"], part["until"] = window.totals_since, window.until
    return part


def fetch_insights(active: pd.DataFrame, fetch: Fetch, counted: Sequence[str]) -> FetchedInsights:
    """The three requests of every campaign in ``active`` (see ``insights_requests``)."""
    to_campaign = dict(zip(active["facebook_campaign_id"], active["campaign_id"], strict=True))
    daily_records: list[dict[str, Any]] = []
    totals_parts: list[pd.DataFrame] = []
    bad: list[pd.DataFrame] = []
    for row in active.itertuples(index=False):
        window = _window(row)
        for kind in REQUEST_KINDS:
            got = fetch(row.ad_account_id, request_params(kind, row.facebook_campaign_id, window))
            if kind == "daily":
                daily_records += got
                continue
            typed = typed_insights(got, counted, f"{SOURCE} {kind}")
            bad.append(typed.quarantine)
            totals_parts.append(_totals_part(typed.rows, kind, window, to_campaign))
    typed_daily = typed_insights(daily_records, counted, f"{SOURCE} daily")
    bad.append(typed_daily.quarantine)
    daily, out_of_range = split_out_of_range(
        attach_campaigns(typed_daily.rows, to_campaign), active
    )
    totals = (
        pd.concat(totals_parts, ignore_index=True)[list(TOTALS_COLUMNS)]
        if totals_parts
        else pd.DataFrame(columns=list(TOTALS_COLUMNS))
    )
    return FetchedInsights(daily, totals, combine(bad), out_of_range)
