"""Pure campaign logic: document validation, fetch windows, stats, expenditures, canvases and the
change plan, on the deterministic sample and on hand-made rows."""

import datetime as dt

import pandas as pd
import pytest
from bson import ObjectId

from leanetl.lib.campaigns.documents import Campaign, Contribution, validate_documents
from leanetl.lib.campaigns.insights import typed_insights
from leanetl.lib.campaigns.insights_requests import campaign_window, request_params, retention_floor
from leanetl.lib.campaigns.outputs import (
    APPLY,
    SUPERSEDED,
    UNCHANGED,
    attach_campaigns,
    campaign_fingerprints,
    campaign_stats,
    canvas_documents,
    expenditure_documents,
    plan_changes,
)
from leanetl.sample.campaigns import sample_campaigns, sample_contributions, sample_insights

TODAY = dt.date(2026, 11, 22)


def campaign(**changes) -> dict:
    doc = {
        "_id": "cmp-1",
        "name": "Clean water",
        "status": "active",
        "start_date": dt.datetime(2026, 10, 1),
        "end_date": dt.datetime(2026, 11, 15),
        "goal": 1000,
        "raised": 0,
        "facebook": {"ad_account_id": "act_42", "campaign_id": "2385001"},
    }
    return {**doc, **changes}


def test_validation_quarantines_bad_documents_with_id_and_reason() -> None:
    oid = ObjectId()
    checked = validate_documents(
        [
            campaign(_id=oid),
            campaign(_id="bad-goal", goal=-1),
            campaign(_id="bad-dates", end_date=dt.datetime(2026, 9, 1)),
            campaign(_id="no-fb", facebook=None),
            campaign(_id="bad-account", facebook={"ad_account_id": "acme", "campaign_id": "1"}),
            campaign(_id="bad-status", status="running"),
        ],
        Campaign,
    )
    assert [c.id for c in checked.valid] == [str(oid)]
    assert checked.valid[0].start_date == dt.date(2026, 10, 1)
    assert checked.valid[0].facebook.ad_account_id == "42"
    reasons = {q["_id"]: q["reason"] for q in checked.quarantine}
    assert set(reasons) == {"bad-goal", "bad-dates", "no-fb", "bad-account", "bad-status"}
    assert reasons["bad-goal"].startswith("goal:")
    assert "before start_date" in reasons["bad-dates"]
    assert "acme" in reasons["bad-account"]
    assert reasons["bad-status"].startswith("status:")


def test_contributions_are_utc_and_positive() -> None:
    checked = validate_documents(
        [
            {
                "_id": 1,
                "campaign_id": "c",
                "user_id": "u",
                "amount": 5,
                "at": dt.datetime(2026, 1, 1),
            },
            {
                "_id": 2,
                "campaign_id": "c",
                "user_id": "u",
                "amount": 0,
                "at": dt.datetime(2026, 1, 1),
            },
            {"_id": 3, "campaign_id": "c", "amount": 5, "at": dt.datetime(2026, 1, 1)},
        ],
        Contribution,
    )
    assert checked.valid[0].at.tzinfo == dt.UTC and checked.valid[0].id == "1"
    assert [q["_id"] for q in checked.quarantine] == ["2", "3"]
    assert "user_id" in checked.quarantine[1]["reason"]


@pytest.mark.parametrize(
    ("today", "floor"),
    [
        (dt.date(2026, 11, 22), dt.date(2023, 10, 22)),
        (dt.date(2026, 3, 31), dt.date(2023, 2, 28)),
        (dt.date(2027, 2, 15), dt.date(2024, 1, 15)),
    ],
)
def test_retention_floor_is_37_months_back(today: dt.date, floor: dt.date) -> None:
    assert retention_floor(today) == floor


def test_a_campaign_ending_mid_window_is_fetched_up_to_its_end_then_not_at_all() -> None:
    model = Campaign.model_validate(campaign(status="ended"))
    window = campaign_window(model, dt.date(2026, 11, 20), 28, TODAY)
    assert window is not None
    assert (window.daily_since, window.until) == (dt.date(2026, 10, 24), dt.date(2026, 11, 15))
    assert window.totals_since == dt.date(2026, 10, 1)
    # 28 days after the end date nothing is due any more.
    assert campaign_window(model, dt.date(2026, 12, 13), 28, TODAY) is None
    assert campaign_window(model, dt.date(2026, 12, 12), 28, TODAY).daily_days == 1
    # Before it starts, and in draft, nothing either.
    assert campaign_window(model, dt.date(2026, 9, 30), 28, TODAY) is None
    draft = Campaign.model_validate(campaign(status="draft"))
    assert campaign_window(draft, dt.date(2026, 11, 1), 28, TODAY) is None


def test_start_dates_are_clamped_to_the_api_retention() -> None:
    old = Campaign.model_validate(campaign(start_date=dt.datetime(2020, 1, 1), end_date=None))
    window = campaign_window(old, TODAY, 28, TODAY)
    assert window.totals_since == dt.date(2023, 10, 22)
    assert window.daily_since == TODAY - dt.timedelta(days=27)
    params = request_params("campaign_totals", "2385001", window)
    assert params["time_range"] == {"since": "2023-10-22", "until": "2026-11-22"}
    assert params["time_increment"] == "all_days" and "breakdowns" not in params
    daily = request_params("daily", "2385001", window)
    assert daily["time_increment"] == 1 and daily["breakdowns"] == ["region"]
    assert daily["filtering"] == [{"field": "campaign.id", "operator": "IN", "value": ["2385001"]}]


CATALOG = {
    "2385001": {
        "account_id": "42",
        "campaign_id": "2385001",
        "campaign_name": "Clean water",
        "start": "2026-10-01",
        "end": "2026-11-15",
    }
}


def fetch(kind: str, day: dt.date = dt.date(2026, 11, 10)) -> pd.DataFrame:
    model = Campaign.model_validate(campaign())
    window = campaign_window(model, day, 28, TODAY)
    typed = typed_insights(sample_insights(request_params(kind, "2385001", window), CATALOG))
    assert typed.quarantine.empty
    return attach_campaigns(typed.rows, {"2385001": "cmp-1"})


def test_sample_reach_is_not_additive_but_spend_is() -> None:
    daily = fetch("daily")
    assert daily["day"].min() == dt.date(2026, 10, 14) and daily["day"].max() == dt.date(
        2026, 11, 10
    )
    whole = fetch("campaign_totals").iloc[0]
    regions = fetch("region_totals")
    assert regions["reach"].max() <= whole["reach"] < regions["reach"].sum()
    assert whole["reach"] < daily["reach"].sum()
    assert whole["spend"] == pytest.approx(regions["spend"].sum(), abs=0.01)
    assert whole["spend"] >= daily["spend"].sum() - 0.01


def totals_frame() -> pd.DataFrame:
    whole = fetch("campaign_totals").drop(columns=["day"]).assign(level="campaign", region=None)
    regions = fetch("region_totals").drop(columns=["day"]).assign(level="region")
    window = {"since": dt.date(2026, 10, 1), "until": dt.date(2026, 11, 10)}
    return pd.concat([whole, regions], ignore_index=True).assign(**window)


def test_stats_take_reach_from_the_api_total_and_compute_ratios() -> None:
    totals = totals_frame()
    stats = campaign_stats(totals, {"cmp-1": "USD"}, {"cmp-1": "https://maps/cmp-1"})
    top = stats[stats["level"] == "campaign"].iloc[0]
    assert top["reach"] == totals[totals["level"] == "campaign"]["reach"].iloc[0]
    assert top["conversion_rate"] == round(top["conversions"] / top["clicks"], 4)
    assert top["cost_per_result"] == round(top["spend"] / top["conversions"], 2)
    assert top["map_url"] == "https://maps/cmp-1"
    assert stats.iloc[0]["level"] == "campaign"  # the campaign row first, then its regions
    zero = totals.assign(conversions=0, clicks=0)
    ratios = campaign_stats(zero, {}, {})[["conversion_rate", "cost_per_result"]]
    assert ratios.isna().all().all()


def test_expenditures_are_one_document_per_campaign_day_and_channel() -> None:
    daily = fetch("daily")
    documents = expenditure_documents(daily, {"cmp-1": "USD"})
    assert len(documents) == daily["day"].nunique() == 28
    first = documents[0]
    assert first["_id"] == "cmp-1:2026-10-14:facebook_ads"
    assert first["day"] == dt.datetime(2026, 10, 14)
    one_day = daily[daily["day"] == dt.date(2026, 10, 14)]
    assert first["spend"] == round(one_day["spend"].sum(), 2)
    assert first["clicks"] == one_day["clicks"].sum()


def test_canvases_split_spend_and_reach_by_share_of_funds() -> None:
    contributions = pd.DataFrame(
        {
            "contribution_id": ["a", "b", "c"],
            "campaign_id": ["cmp-1"] * 3,
            "user_id": ["ann", "bob", "ann"],
            "amount": [30.0, 25.0, 45.0],
        }
    )
    totals = pd.DataFrame({"campaign_id": ["cmp-1"], "spend": [200.0], "reach": [4000]})
    as_of = dt.datetime(2026, 11, 11, 6)
    docs = {d["_id"]: d for d in canvas_documents(contributions, totals, {"cmp-1": "u"}, as_of)}
    ann = docs["ann:cmp-1"]
    assert ann["amount_contributed"] == 75.0 and ann["share_of_funds"] == 0.75
    assert ann["share_of_spend"] == 150.0 and ann["people_reached"] == 3000.0
    assert ann["cost_per_person_reached"] == 0.05
    assert ann["map_url"] == "u" and ann["as_of"] == as_of
    assert sum(d["share_of_funds"] for d in docs.values()) == pytest.approx(1)
    nobody = canvas_documents(contributions, totals.assign(reach=0), {}, as_of)
    assert nobody[0]["cost_per_person_reached"] is None


def test_fingerprints_follow_content_not_order() -> None:
    daily, totals = fetch("daily"), totals_frame()
    contributions = pd.DataFrame(
        {"contribution_id": ["a"], "campaign_id": ["cmp-1"], "user_id": ["ann"], "amount": [5.0]}
    )
    first = campaign_fingerprints(daily, totals, contributions)
    shuffled = campaign_fingerprints(
        daily.sample(frac=1, random_state=1), totals[::-1], contributions
    )
    assert first == shuffled
    revised = daily.copy()
    revised.loc[3, "conversions"] += 1  # late attribution of one conversion
    assert campaign_fingerprints(revised, totals, contributions) != first
    more = pd.concat([contributions, contributions.assign(contribution_id="b")])
    assert campaign_fingerprints(daily, totals, more) != first


def test_plan_writes_new_and_changed_skips_unchanged_and_older_partitions() -> None:
    changed_at = dt.datetime(2026, 11, 10, 12)
    state = {
        "same": {"fingerprint": "f1", "partition": "2026-11-10", "changed_at": changed_at},
        "changed": {"fingerprint": "old", "partition": "2026-11-09", "changed_at": changed_at},
        "later": {"fingerprint": "x", "partition": "2026-11-11", "changed_at": changed_at},
    }
    plan = plan_changes(
        {"same": "f1", "changed": "f2", "later": "y", "new": "n"}, state, "2026-11-10"
    ).set_index("campaign_id")
    assert plan["action"].to_dict() == {
        "changed": APPLY,
        "later": SUPERSEDED,
        "new": APPLY,
        "same": UNCHANGED,
    }
    assert plan.loc["same", "unchanged_since"] == pd.Timestamp(changed_at)


def test_the_sample_has_every_kind_of_campaign() -> None:
    docs = sample_campaigns(TODAY)
    checked = validate_documents(docs, Campaign)
    assert [q["_id"] for q in checked.quarantine] == ["cmp-008"]
    statuses = {c.status for c in checked.valid}
    assert statuses == {"active", "paused", "ended", "draft"}
    due = [c.id for c in checked.valid if campaign_window(c, TODAY, 28, TODAY)]
    assert due == ["cmp-001", "cmp-002", "cmp-003", "cmp-004", "cmp-006"]
    contributions = validate_documents(sample_contributions(docs, TODAY), Contribution)
    assert [q["_id"] for q in contributions.quarantine] == ["cmp-001-refund-1"]
    assert sample_contributions(docs, TODAY) == sample_contributions(docs, TODAY)


def test_rows_outside_the_campaign_or_the_asked_days_are_dropped_and_counted() -> None:
    import datetime as dt

    from leanetl.lib.campaigns.insights import split_out_of_range

    d = dt.date
    windows = pd.DataFrame(
        {
            "campaign_id": ["cmp-a", "cmp-b"],
            "start_date": [d(2025, 3, 1), d(2025, 3, 5)],
            "end_date": [None, d(2025, 3, 8)],
            "daily_since": [d(2025, 3, 1), d(2025, 3, 5)],
            "until": [d(2025, 3, 10), d(2025, 3, 8)],
        }
    )
    daily = pd.DataFrame(
        {
            "campaign_id": ["cmp-a", "cmp-a", "cmp-a", "cmp-b", "cmp-b", "cmp-b", None],
            "facebook_campaign_id": ["1", "1", "1", "2", "2", "2", "99"],
            "day": [
                d(2025, 3, 1),  # first day: kept
                d(2025, 3, 10),  # last day asked: kept
                d(2025, 3, 11),  # after the days asked for: dropped
                d(2025, 3, 4),  # before the campaign started: dropped
                d(2025, 3, 8),  # its end date: kept
                d(2025, 3, 9),  # after it ended: dropped
                d(2025, 3, 5),  # a campaign nobody asked for: dropped
            ],
            "spend": [1.0] * 7,
        }
    )
    kept, dropped = split_out_of_range(daily, windows)
    assert kept["day"].tolist() == [d(2025, 3, 1), d(2025, 3, 10), d(2025, 3, 8)]
    assert dropped == {"cmp-a": 1, "cmp-b": 2, "facebook:99": 1}
    assert split_out_of_range(daily.iloc[:0], windows)[1] == {}


def test_fetch_insights_types_every_request_of_every_campaign() -> None:
    import datetime as dt

    from leanetl.lib.campaigns.fetch import TOTALS_COLUMNS, fetch_insights
    from leanetl.sample.campaigns import sample_insights

    d = dt.date
    active = pd.DataFrame(
        {
            "campaign_id": ["cmp-a"],
            "name": ["A"],
            "ad_account_id": ["1"],
            "facebook_campaign_id": ["11"],
            "start_date": [d(2025, 3, 1)],
            "end_date": [None],
            "daily_since": [d(2025, 3, 1)],
            "until": [d(2025, 3, 3)],
            "totals_since": [d(2025, 3, 1)],
        }
    )
    catalog = {
        "11": {
            "account_id": "1",
            "campaign_id": "11",
            "campaign_name": "A",
            "start": "2025-03-01",
            "end": "",
        }
    }
    asked: list[tuple[str, dict]] = []

    def fetch(account_id: str, params: dict) -> list[dict]:
        asked.append((account_id, params))
        return sample_insights(params, catalog)

    got = fetch_insights(active, fetch, ["lead"])
    assert [p.get("time_increment") for _, p in asked] == [1, "all_days", "all_days"]
    assert {a for a, _ in asked} == {"1"}
    assert set(got.daily["day"]) == {d(2025, 3, 1), d(2025, 3, 2), d(2025, 3, 3)}
    assert (got.daily["campaign_id"] == "cmp-a").all()
    assert list(got.totals.columns) == list(TOTALS_COLUMNS)
    assert sorted(set(got.totals["level"])) == ["campaign", "region"]
    assert got.quarantine.empty and got.out_of_range == {}
