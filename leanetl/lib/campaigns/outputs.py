"""From typed insights to what contributors see: stats, expenditures, canvases (pure pandas).

Also the change detector: a fingerprint per campaign of everything its outputs are made of
(daily insights of the window, totals, contributions), and the plan that says, per campaign,
whether its outputs must be written, are unchanged, or were already written by a later partition.
"""

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

import pandas as pd

from leanetl.lib.campaigns.documents import CHANNEL
from leanetl.lib.campaigns.insights import FINGERPRINT_COLUMNS, SCOPE_COLUMNS

METRICS = ("spend", "impressions", "reach", "clicks", "conversions")
STATS_COLUMNS = (
    "campaign_id",
    "campaign_name",
    *SCOPE_COLUMNS,
    "spend",
    "reach",
    "impressions",
    "clicks",
    "conversions",
    "conversion_rate",
    "cost_per_result",
    "currency",
    "map_url",
)
PLAN_COLUMNS = ("campaign_id", "fingerprint", "action", "unchanged_since", "written_by")
APPLY, UNCHANGED, SUPERSEDED = "write", "unchanged", "superseded"


def attach_campaigns(rows: pd.DataFrame, facebook_to_campaign: Mapping[str, str]) -> pd.DataFrame:
    """Typed insights keyed by leanetl's campaign id; the Graph API's id kept beside it."""
    out = rows.rename(columns={"campaign_id": "facebook_campaign_id"})
    out.insert(0, "campaign_id", out["facebook_campaign_id"].map(dict(facebook_to_campaign)))
    return out


def _ratio(numerator: pd.Series, denominator: pd.Series, digits: int) -> pd.Series:
    den = denominator.astype("float64")
    return (numerator.astype("float64") / den.where(den > 0)).round(digits)


def campaign_stats(
    totals: pd.DataFrame, currencies: Mapping[str, str], map_urls: Mapping[str, str]
) -> pd.DataFrame:
    """Per campaign and per region over each campaign's whole period so far.

    ``totals`` holds the API's own totals (``level`` campaign or region), so reach is the API's
    count of distinct people, never a sum.
    """
    if totals.empty:
        return pd.DataFrame(columns=list(STATS_COLUMNS))
    out = totals.copy()
    out["conversion_rate"] = _ratio(out["conversions"], out["clicks"], 4)
    out["cost_per_result"] = _ratio(out["spend"], out["conversions"], 2)
    out["currency"] = out["campaign_id"].map(dict(currencies)).fillna("USD")
    out["map_url"] = out["campaign_id"].map(dict(map_urls)).fillna("")
    out["level_order"] = (out["level"] != "campaign").astype(int)
    out = out.sort_values(["campaign_id", "level_order", "region"], na_position="first")
    return out[list(STATS_COLUMNS)].reset_index(drop=True)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


def expenditure_documents(daily: pd.DataFrame, currencies: Mapping[str, str]) -> list[dict]:
    """One document per (campaign, day, channel): the day's spend summed over regions."""
    if daily.empty:
        return []
    grouped = daily.groupby(["campaign_id", "facebook_campaign_id", "day"], as_index=False)[
        ["spend", "impressions", "clicks", "conversions"]
    ].sum()
    return [
        {
            "_id": f"{row.campaign_id}:{row.day.isoformat()}:{CHANNEL}",
            "campaign_id": row.campaign_id,
            "day": _midnight(row.day),
            "channel": CHANNEL,
            "facebook_campaign_id": row.facebook_campaign_id,
            "currency": currencies.get(row.campaign_id, "USD"),
            "spend": round(float(row.spend), 2),
            "impressions": int(row.impressions),
            "clicks": int(row.clicks),
            "conversions": int(row.conversions),
        }
        for row in grouped.itertuples(index=False)
    ]


def canvas_documents(
    contributions: pd.DataFrame,
    campaign_totals: pd.DataFrame,
    map_urls: Mapping[str, str],
    as_of: dt.datetime,
) -> list[dict]:
    """One canvas per (contributor, campaign): how far that person's money went.

    A contributor's share of the campaign's funds buys the same share of its spend and of the
    people it reached (reach from the API's campaign total, which is not a sum of days).
    """
    if contributions.empty or campaign_totals.empty:
        return []
    totals = campaign_totals.set_index("campaign_id")
    funds = contributions.groupby("campaign_id")["amount"].sum()
    given = contributions.groupby(["user_id", "campaign_id"], as_index=False)["amount"].sum()
    documents = []
    for row in given.itertuples(index=False):
        if row.campaign_id not in totals.index:
            continue
        total = totals.loc[row.campaign_id]
        share = float(row.amount) / float(funds[row.campaign_id])
        spend = float(total["spend"]) * share
        people = float(total["reach"]) * share
        documents.append(
            {
                "_id": f"{row.user_id}:{row.campaign_id}",
                "user_id": row.user_id,
                "campaign_id": row.campaign_id,
                "amount_contributed": round(float(row.amount), 2),
                "share_of_funds": round(share, 6),
                "share_of_spend": round(spend, 2),
                "people_reached": round(people, 1),
                "cost_per_person_reached": round(spend / people, 4) if people > 0 else None,
                "map_url": map_urls.get(row.campaign_id, ""),
                "as_of": as_of,
            }
        )
    return documents


def _digest(frame: pd.DataFrame, columns: tuple[str, ...]) -> str:
    ordered = frame.sort_values(list(columns[:2]))[list(columns)]
    return ordered.to_csv(index=False, float_format="%.2f")


def campaign_fingerprints(
    daily: pd.DataFrame, totals: pd.DataFrame, contributions: pd.DataFrame
) -> dict[str, str]:
    """campaign_id -> SHA-256 of what its outputs are made of, independent of row order."""
    campaigns = sorted(set(daily["campaign_id"]) | set(totals["campaign_id"]))
    prints = {}
    for campaign in campaigns:
        parts = [
            _digest(daily[daily["campaign_id"] == campaign], FINGERPRINT_COLUMNS),
            _digest(
                totals[totals["campaign_id"] == campaign].fillna({"region": ""}),
                ("level", "region", "since", "until", *METRICS),
            ),
            _digest(
                contributions[contributions["campaign_id"] == campaign],
                ("contribution_id", "user_id", "amount"),
            ),
        ]
        prints[campaign] = hashlib.sha256("\n--\n".join(parts).encode()).hexdigest()
    return prints


def plan_changes(
    fingerprints: Mapping[str, str], state: Mapping[str, Mapping[str, Any]], partition: str
) -> pd.DataFrame:
    """Per campaign: write its outputs, or leave them (unchanged, or a later day wrote them).

    ``state`` is what was last written per campaign: its ``fingerprint``, the ``partition`` that
    wrote it and when (``changed_at``). An older partition never overwrites a newer one's outputs.
    """
    rows = []
    for campaign, fingerprint in sorted(fingerprints.items()):
        last = state.get(campaign)
        if last is None:
            action, since, by = APPLY, None, None
        elif str(last["partition"]) > partition:
            action, since, by = SUPERSEDED, last.get("changed_at"), str(last["partition"])
        elif last["fingerprint"] == fingerprint:
            action, since, by = UNCHANGED, last.get("changed_at"), str(last["partition"])
        else:
            action, since, by = APPLY, None, str(last["partition"])
        rows.append(
            {
                "campaign_id": campaign,
                "fingerprint": fingerprint,
                "action": action,
                "unchanged_since": pd.Timestamp(since) if since is not None else pd.NaT,
                "written_by": by,
            }
        )
    return pd.DataFrame(rows, columns=list(PLAN_COLUMNS))


def describe_plan(plan: pd.DataFrame) -> str:
    """One line a person reads in the UI: what will be written and what is unchanged since when."""
    if plan.empty:
        return "no campaigns to update"
    parts = []
    for row in plan.itertuples(index=False):
        if row.action == APPLY:
            parts.append(f"{row.campaign_id}: changed")
        elif row.action == UNCHANGED:
            parts.append(
                f"{row.campaign_id}: unchanged since {row.unchanged_since:%Y-%m-%d %H:%M} UTC"
            )
        else:
            parts.append(f"{row.campaign_id}: written by the later partition {row.written_by}")
    return "; ".join(parts)
