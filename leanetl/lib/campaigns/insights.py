"""Graph API insights rows (numbers as strings, action arrays) -> typed rows, plus fingerprints.

Pure pandas, no Dagster. A row whose numbers do not parse goes to a quarantine with its campaign,
day and reason instead of failing the partition.
"""

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from leanetl.lib.countries import US_STATES, us_state_code
from leanetl.lib.outcomes import Outcomes
from leanetl.lib.quarantine import quarantine_frame, raw_json

# What counts as a conversion unless configured otherwise (Graph API action_type values).
DEFAULT_CONVERSION_ACTIONS = (
    "offsite_conversion.fb_pixel_purchase",
    "offsite_conversion.fb_pixel_lead",
    "lead",
    "onsite_conversion.lead_grouped",
)
COLUMNS = (
    "campaign_id",
    "campaign_name",
    "day",
    "region",
    "state",
    "spend",
    "impressions",
    "reach",
    "clicks",
    "conversions",
)
# What a total covers: the campaign or one of its regions, over the window since..until.
SCOPE_COLUMNS = ("level", "region", "state", "since", "until")
FINGERPRINT_COLUMNS = ("day", "region", "spend", "impressions", "reach", "clicks", "conversions")


@dataclass(frozen=True)
class TypedInsights:
    rows: pd.DataFrame
    quarantine: pd.DataFrame


def _number(value: Any, integer: bool) -> float | int:
    if value is None or value == "":
        return 0
    number = float(value)
    if math.isnan(number) or math.isinf(number) or number < 0:
        raise ValueError(f"{value!r} is not a count or an amount")
    if integer:
        if not number.is_integer():
            raise ValueError(f"{value!r} is not a whole number")
        return int(number)
    return round(number, 2)


def conversions(actions: Iterable[dict[str, Any]] | None, counted: Sequence[str]) -> int:
    """Sum of the ``value`` of actions whose ``action_type`` is counted (default window)."""
    return sum(
        int(float(action.get("value", 0) or 0))
        for action in actions or []
        if action.get("action_type") in counted
    )


def region_state(region: str | None) -> str | None:
    """Two-letter US state of a Graph API region name ('Wisconsin', 'Washington, District of
    Columbia'), or None for regions outside the US."""
    if not region:
        return None
    if region.strip().casefold() in ("washington, district of columbia", "district of columbia"):
        return "DC"
    code = us_state_code(region)
    return code if code in US_STATES else None


def typed_insights(
    records: Iterable[dict[str, Any]],
    counted: Sequence[str] = DEFAULT_CONVERSION_ACTIONS,
    source: str = "graph api insights",
) -> TypedInsights:
    """Typed rows (one per campaign, day and region) and the rows that could not be read."""
    rows, bad = [], []
    for record in records:
        try:
            rows.append(
                {
                    "campaign_id": str(record["campaign_id"]),
                    "campaign_name": record.get("campaign_name") or "",
                    "day": pd.Timestamp(record["date_start"]).date(),
                    "region": record.get("region") or "Unknown",
                    "state": region_state(record.get("region")),
                    "spend": _number(record.get("spend"), integer=False),
                    "impressions": _number(record.get("impressions"), integer=True),
                    "reach": _number(record.get("reach"), integer=True),
                    "clicks": _number(record.get("clicks"), integer=True),
                    "conversions": conversions(record.get("actions"), counted),
                }
            )
        except (KeyError, ValueError, TypeError) as exc:
            reason = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            bad.append((_locator(record), reason, raw_json(record)))
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame = frame.sort_values(["campaign_id", "day", "region"], kind="stable").reset_index(
        drop=True
    )
    quarantine = quarantine_frame(
        source, [b[0] for b in bad], [b[1] for b in bad], [b[2] for b in bad]
    )
    return TypedInsights(frame, quarantine)


def _locator(record: dict[str, Any]) -> str:
    """Where an API row is: its campaign, day and region as the API sent them."""
    return (
        f"campaign {record.get('campaign_id', '')} day {record.get('date_start', '')} "
        f"region {record.get('region', '')}"
    )


def fingerprints(rows: pd.DataFrame) -> dict[str, str]:
    """campaign_id -> SHA-256 of its insights, independent of row order (the change detector)."""
    prints: dict[str, str] = {}
    for campaign, group in rows.groupby("campaign_id", sort=True):
        ordered = group.sort_values(["day", "region"])[list(FINGERPRINT_COLUMNS)]
        text = ordered.to_csv(index=False, float_format="%.2f")
        prints[str(campaign)] = hashlib.sha256(text.encode()).hexdigest()
    return prints


def split_out_of_range(
    daily: pd.DataFrame, windows: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Daily rows inside their campaign's dates and the days asked for, and per campaign how
    many were not (a row for a campaign not asked for counts under ``facebook:<id>``).

    ``windows``: campaign_id, start_date, end_date (may be empty), daily_since, until. The API
    should never answer outside the range it was asked for; when it does, those rows are dropped
    and counted, and the campaign's other rows (and the other campaigns) go on.
    """
    ranges: dict[str, tuple[Any, Any]] = {}
    for w in windows.itertuples(index=False):
        last = w.until if pd.isna(w.end_date) else min(w.until, w.end_date)
        ranges[w.campaign_id] = (max(w.start_date, w.daily_since), last)
    keep, dropped = [], {}
    for campaign_id, facebook_id, day in zip(
        daily["campaign_id"], daily["facebook_campaign_id"], daily["day"], strict=True
    ):
        first_last = ranges.get(campaign_id) if isinstance(campaign_id, str) else None
        inside = first_last is not None and first_last[0] <= day <= first_last[1]
        keep.append(inside)
        if not inside:
            name = campaign_id if first_last is not None else f"facebook:{facebook_id}"
            dropped[name] = dropped.get(name, 0) + 1
    kept = daily[pd.Series(keep, index=daily.index, dtype=bool)].reset_index(drop=True)
    return kept, dict(sorted(dropped.items()))


def insights_checks(
    daily: pd.DataFrame, totals: pd.DataFrame, out_of_range: dict[str, int]
) -> Outcomes:
    """check name -> (passed, metadata): keys unique, rows within the campaigns' dates, reach
    not summed over regions, spend reconciling between campaign, regions and days."""
    duplicated = daily.duplicated(["campaign_id", "day", "region"])
    campaign = totals[totals["level"] == "campaign"].set_index("campaign_id")
    regions = totals[totals["level"] == "region"].groupby("campaign_id")
    reach_sum, reach_max = regions["reach"].sum(), regions["reach"].max()
    spend_regions = regions["spend"].sum()
    spend_window = daily.groupby("campaign_id")["spend"].sum()
    bad_reach, bad_spend = [], []
    tolerance = 0.01 * (1 + len(totals))
    for campaign_id, row in campaign.iterrows():
        if not reach_max.get(campaign_id, 0) <= row["reach"] <= reach_sum.get(campaign_id, 0):
            bad_reach.append(str(campaign_id))
        if abs(row["spend"] - spend_regions.get(campaign_id, 0)) > tolerance or (
            spend_window.get(campaign_id, 0) > row["spend"] + tolerance
        ):
            bad_spend.append(str(campaign_id))
    return {
        "keys_unique": (not bool(duplicated.any()), {"duplicates": int(duplicated.sum())}),
        "within_campaign_dates": (
            not out_of_range,
            {
                "rows_dropped": sum(out_of_range.values()),
                "rows_dropped_by_campaign": out_of_range,
            },
        ),
        "reach_not_summed": (not bad_reach, {"campaigns_failing": ", ".join(bad_reach) or "none"}),
        "spend_reconciles": (not bad_spend, {"campaigns_failing": ", ".join(bad_spend) or "none"}),
    }
