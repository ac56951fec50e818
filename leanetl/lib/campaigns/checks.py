"""The campaigns domain's Python checks, as outcomes: ``{check: (passed, metadata)}``
(reported by ``defs/checks.check_results``)."""

from collections.abc import Mapping, Sequence

import pandas as pd

from leanetl.lib.outcomes import Outcomes

SHARE_TOLERANCE = 1e-3  # a campaign's contributor shares sum to 1 within this


def ids_unique(campaigns: pd.DataFrame) -> Outcomes:
    """No campaign id, and no Facebook campaign id, is listed twice."""
    repeated = (
        campaigns["campaign_id"].duplicated() | campaigns["facebook_campaign_id"].duplicated()
    )
    return {
        "ids_unique": (
            not bool(repeated.any()),
            {"duplicates": campaigns.loc[repeated, "campaign_id"].tolist()},
        )
    }


def one_total_per_campaign(stats: pd.DataFrame) -> Outcomes:
    """One campaign-level row per campaign, and no negative conversion rate or cost."""
    top = stats[stats["level"] == "campaign"]
    rates = stats[["conversion_rate", "cost_per_result"]].fillna(0)
    passed = not top["campaign_id"].duplicated().any() and bool((rates >= 0).all().all())
    return {"one_total_per_campaign": (passed, {"campaigns": len(top)})}


def matches_insights(documents: Sequence[Mapping], stored: Mapping[str, object]) -> Outcomes:
    """Every expenditure document written reads back with the spend the insights gave."""
    mismatched = [d["_id"] for d in documents if stored.get(d["_id"]) != d["spend"]]
    return {
        "matches_insights": (
            not mismatched,
            {"mismatched": ", ".join(mismatched[:10]) or "none"},
        )
    }


def shares_add_up(canvases: Sequence[Mapping]) -> Outcomes:
    """Each campaign's contributor shares of funds sum to 1."""
    shares = pd.DataFrame(list(canvases), columns=["campaign_id", "share_of_funds"])
    sums = shares.groupby("campaign_id")["share_of_funds"].sum()
    off = sums[(sums - 1).abs() > SHARE_TOLERANCE]
    return {"shares_add_up": (off.empty, {"campaigns_off": ", ".join(off.index) or "none"})}
