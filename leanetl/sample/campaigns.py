"""Deterministic campaigns, contributions and Facebook insights (the local sources).

Campaign dates are relative to the day the sample is seeded, so that a fresh ``make demo`` always
has campaigns that are running, paused, ended mid-window, newly started, still in draft, long
over, and one broken document that validation must quarantine. Insights come back in the Graph
API's shape (numbers as strings, action arrays) and are consistent the way the API's are: reach
over a period is less than the sum of daily or regional reach and at least their maximum.
"""

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

# Graph API region names: states (some with many people), a district, and places outside the US.
REGIONS = (
    ("California", 9.0),
    ("Texas", 6.5),
    ("Florida", 5.0),
    ("New York", 4.5),
    ("Illinois", 3.0),
    ("Michigan", 3.5),
    ("Ohio", 2.5),
    ("Georgia", 2.2),
    ("Washington", 1.8),
    ("Washington, District of Columbia", 0.6),
    ("Wisconsin", 1.2),
    ("Minnesota", 1.1),
    ("Colorado", 1.0),
    ("Oregon", 0.8),
    ("Maine", 0.3),
    ("Ontario", 0.4),
    ("Unknown", 0.2),
)


def _unit(*parts: object) -> float:
    """A number in [0, 1) fixed by ``parts``."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest) / 2**64


def _at(day: dt.date, hour: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour)


def sample_campaigns(today: dt.date) -> list[dict[str, Any]]:
    """Campaign documents as the platform stores them (dates as datetimes)."""

    def campaign(
        n: int,
        name: str,
        status: str,
        start: int,
        end: int | None,
        goal: float,
        account: str = "act_100200300",
    ) -> dict[str, Any]:
        return {
            "_id": f"cmp-{n:03d}",
            "name": name,
            "status": status,
            "start_date": _at(today + dt.timedelta(days=start)),
            "end_date": None if end is None else _at(today + dt.timedelta(days=end)),
            "goal": goal,
            "raised": 0.0,
            "currency": "USD",
            "facebook": {"ad_account_id": account, "campaign_id": f"238500000000{n:04d}"},
        }

    documents = [
        campaign(1, "Clean water for Flint schools", "active", -45, 30, 25_000),
        campaign(2, "Books for the Eastside library", "active", -20, None, 8_000),
        campaign(3, "Teachers' classroom supplies", "ended", -60, -10, 12_000),
        campaign(4, "Winter food bank", "paused", -30, 10, 15_000, "act_100200400"),
        campaign(5, "Riverside park cleanup", "draft", 5, 40, 3_000),
        campaign(6, "Emergency shelter beds", "active", -3, 60, 40_000, "act_100200400"),
        campaign(7, "Voter registration van", "ended", -800, -700, 5_000),
    ]
    broken = campaign(8, "Community radio transmitter", "active", -10, 20, 9_000)
    broken["goal"] = -1  # a goal must be positive: validation quarantines this document
    documents.append(broken)
    return documents


def sample_contributions(campaigns: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    """Contributions from 80 people to the campaigns that ran, spread over their windows."""
    documents: list[dict[str, Any]] = []
    for campaign in campaigns:
        if campaign["status"] == "draft":
            continue
        start = campaign["start_date"].date()
        last = min(today, campaign["end_date"].date() if campaign["end_date"] else today)
        span = max((last - start).days, 0)
        for i in range(int(15 + 30 * _unit(campaign["_id"], "count"))):
            user = int(80 * _unit(campaign["_id"], i, "user"))
            day = start + dt.timedelta(days=int((span + 1) * _unit(campaign["_id"], i, "day")))
            documents.append(
                {
                    "_id": f"{campaign['_id']}-c{i:03d}",
                    "campaign_id": campaign["_id"],
                    "user_id": f"user-{user:03d}",
                    "amount": round(5 + 245 * _unit(campaign["_id"], i, "amount") ** 2, 2),
                    "at": _at(day, int(24 * _unit(campaign["_id"], i, "hour"))),
                }
            )
    documents.append(  # an amount must be positive: validation quarantines this one
        {
            "_id": "cmp-001-refund-1",
            "campaign_id": "cmp-001",
            "user_id": "user-001",
            "amount": 0,
            "at": _at(today - dt.timedelta(days=2)),
        }
    )
    return documents


def seed_sample(database: Any, today: dt.date) -> bool:
    """Write the sample campaigns and contributions unless the database has campaigns already."""
    if database["campaigns"].find_one({}, {"_id": 1}) is not None:
        return False
    campaigns = sample_campaigns(today)
    database["campaigns"].insert_many(campaigns)
    database["contributions"].insert_many(sample_contributions(campaigns, today))
    return True


def _daily(fb_campaign: str, day: dt.date, region: str, weight: float) -> dict[str, int | float]:
    base = _unit(fb_campaign, "size")
    wobble = 0.5 + _unit(fb_campaign, day, region)
    impressions = int(weight * wobble * (200 + 800 * base))
    reach = int(impressions * (0.55 + 0.2 * _unit(fb_campaign, day, region, "reach")))
    clicks = int(impressions * (0.01 + 0.03 * _unit(fb_campaign, day, region, "ctr")))
    leads = int(clicks * 0.2 * _unit(fb_campaign, day, region, "cvr"))
    purchases = int(clicks * 0.05 * _unit(fb_campaign, day, region, "buy"))
    spend = round(impressions * (0.004 + 0.008 * base), 2)
    return {
        "impressions": impressions,
        "reach": reach,
        "clicks": clicks,
        "leads": leads,
        "purchases": purchases,
        "spend": spend,
    }


def _row(
    meta: Mapping[str, str],
    since: dt.date,
    until: dt.date,
    numbers: Mapping[str, int | float],
    region: str | None,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "account_id": meta["account_id"],
        "account_currency": "USD",
        "campaign_id": meta["campaign_id"],
        "campaign_name": meta["campaign_name"],
        "spend": f"{numbers['spend']:.2f}",
        "impressions": str(numbers["impressions"]),
        "reach": str(numbers["reach"]),
        "clicks": str(numbers["clicks"]),
        "date_start": since.isoformat(),
        "date_stop": until.isoformat(),
    }
    actions = [
        {"action_type": "link_click", "value": str(numbers["clicks"])},
        {"action_type": "lead", "value": str(numbers["leads"])},
        {"action_type": "offsite_conversion.fb_pixel_purchase", "value": str(numbers["purchases"])},
    ]
    row["actions"] = [a for a in actions if a["value"] != "0"]
    if region is not None:
        row["region"] = region
    return row


def sample_insights(
    params: Mapping[str, Any], campaigns: Mapping[str, Mapping[str, str]]
) -> list[dict[str, Any]]:
    """Rows the Graph API would return for ``params`` (level campaign, one campaign filtered).

    ``campaigns`` maps a Facebook campaign id to its ``account_id``, ``campaign_id`` and
    ``campaign_name``; a campaign delivers only between its first and last day (``start``/``end``
    ISO dates in the mapping), as the API reports no rows outside delivery.
    """
    fb_ids = [v for f in params.get("filtering", []) for v in f.get("value", [])]
    since = dt.date.fromisoformat(params["time_range"]["since"])
    until = dt.date.fromisoformat(params["time_range"]["until"])
    by_region = "region" in (params.get("breakdowns") or [])
    daily = params.get("time_increment") == 1
    rows: list[dict[str, Any]] = []
    for fb_id in fb_ids:
        meta = campaigns.get(fb_id)
        if meta is None:
            continue
        first = max(since, dt.date.fromisoformat(meta["start"]))
        last = min(until, dt.date.fromisoformat(meta["end"]) if meta.get("end") else until)
        days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
        if not days:
            continue
        regions = [
            (region, weight * (0.3 + 1.4 * _unit(fb_id, region, "taste")))
            for region, weight in REGIONS
        ]
        cells = {(d, r): _daily(fb_id, d, r, w) for d in days for r, w in regions}
        if daily:
            for day in days:
                for region, _ in regions:
                    rows.append(_row(meta, day, day, cells[(day, region)], region))
            continue
        per_region: dict[str, dict[str, int | float]] = {}
        for region, _ in regions:
            parts = [cells[(d, region)] for d in days]
            summed = {k: sum(p[k] for p in parts) for k in parts[0]}
            summed["spend"] = round(float(summed["spend"]), 2)
            # The same people see ads on many days: reach over the period is far below the sum.
            summed["reach"] = max(
                max(p["reach"] for p in parts), int(summed["reach"] / (1 + 0.15 * len(days)))
            )
            per_region[region] = summed
        if by_region:
            rows.extend(_row(meta, first, last, per_region[r], r) for r, _ in regions)
        else:
            total = {k: sum(p[k] for p in per_region.values()) for k in per_region[regions[0][0]]}
            total["spend"] = round(float(total["spend"]), 2)
            total["reach"] = max(
                max(p["reach"] for p in per_region.values()), int(total["reach"] * 0.97)
            )
            rows.append(_row(meta, first, last, total, None))
    return rows
