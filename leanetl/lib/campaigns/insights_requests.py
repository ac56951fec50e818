"""Which insights to ask the Graph API for, for one campaign and one partition day (pure).

Three requests per campaign, each filtered to its Facebook campaign id:

- ``daily``: one row per day and region over the lookback window (days re-fetched because
  attribution of clicks and conversions keeps changing for up to 28 days);
- ``campaign_totals``: one row for the whole campaign so far — reach is not additive, so a
  campaign's reach must come from the API over the whole period, never from summing days/regions;
- ``region_totals``: one row per region for the whole campaign so far (reach per region).

The API keeps insights for 37 months: no request starts before that, counted from today.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from leanetl.lib.campaigns.documents import Campaign

RETENTION_MONTHS = 37
FIELDS = (
    "account_id",
    "campaign_id",
    "campaign_name",
    "account_currency",
    "spend",
    "impressions",
    "reach",
    "clicks",
    "actions",
    "date_start",
    "date_stop",
)


def retention_floor(today: dt.date, months: int = RETENTION_MONTHS) -> dt.date:
    """The first day the API still has insights for: ``months`` before ``today``."""
    month_index = today.year * 12 + today.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    # Clamp to the month's last day (e.g. 31 March - 37 months = 28/29 February).
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, min(today.day, (next_month - dt.timedelta(days=1)).day))


@dataclass(frozen=True)
class CampaignWindow:
    """The days to fetch for one campaign on one partition day."""

    campaign_id: str
    daily_since: dt.date
    until: dt.date
    totals_since: dt.date

    @property
    def daily_days(self) -> int:
        return (self.until - self.daily_since).days + 1


def campaign_window(
    campaign: Campaign, day: dt.date, lookback_days: int, today: dt.date
) -> CampaignWindow | None:
    """What to fetch for ``campaign`` on partition ``day``; None when nothing is due.

    A campaign that ran in the lookback window is fetched up to ``day`` or its end date, whichever
    comes first, so an ended campaign keeps its late attribution for ``lookback_days`` and then
    stops being fetched.
    """
    if campaign.status not in ("active", "paused", "ended"):
        return None
    floor = retention_floor(today)
    until = min(day, campaign.end_date or day)
    daily_since = max(campaign.start_date, day - dt.timedelta(days=lookback_days - 1), floor)
    if until < daily_since:
        return None
    return CampaignWindow(campaign.id, daily_since, until, max(campaign.start_date, floor))


def _time_range(since: dt.date, until: dt.date) -> dict[str, str]:
    return {"since": since.isoformat(), "until": until.isoformat()}


def request_params(
    kind: str, facebook_campaign_id: str, window: CampaignWindow, page_size: int = 500
) -> dict[str, Any]:
    """Graph API parameters of request ``kind`` (daily | campaign_totals | region_totals)."""
    params: dict[str, Any] = {
        "level": "campaign",
        "fields": list(FIELDS),
        "filtering": [{"field": "campaign.id", "operator": "IN", "value": [facebook_campaign_id]}],
        "limit": page_size,
    }
    if kind == "daily":
        params |= {
            "time_range": _time_range(window.daily_since, window.until),
            "time_increment": 1,
            "breakdowns": ["region"],
        }
    elif kind == "campaign_totals":
        params |= {
            "time_range": _time_range(window.totals_since, window.until),
            "time_increment": "all_days",
        }
    elif kind == "region_totals":
        params |= {
            "time_range": _time_range(window.totals_since, window.until),
            "time_increment": "all_days",
            "breakdowns": ["region"],
        }
    else:
        raise ValueError(f"unknown insights request {kind!r}")
    return params


REQUEST_KINDS = ("daily", "campaign_totals", "region_totals")


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
