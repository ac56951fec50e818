"""Typing Graph API insights, region -> state, and the change fingerprint."""

import datetime as dt
import json

from hypothesis import given
from hypothesis import strategies as st

from leanetl.lib.campaigns.insights import fingerprints, region_state, typed_insights
from leanetl_tests.fakes.graph_api import RECORDED, recorded_row


def test_recorded_row_is_typed() -> None:
    row = recorded_row()
    typed = typed_insights([row], counted=["post_engagement"]).rows.iloc[0]
    assert typed["spend"] == round(float(row["spend"]), 2)
    assert typed["impressions"] == int(row["impressions"])
    assert typed["clicks"] == int(row["clicks"])
    assert typed["conversions"] == 10
    assert typed["day"] == dt.date(2023, 6, 1)


def test_recorded_region_record_maps_to_a_state() -> None:
    lines = (RECORDED / "airbyte_expected_records_insights_subset.jsonl").read_text().splitlines()
    record = next(
        json.loads(x)["data"] for x in lines if json.loads(x)["stream"] == "ads_insights_region"
    )
    typed = typed_insights([record]).rows.iloc[0]
    assert (typed["region"], typed["state"]) == ("Wisconsin", "WI")
    assert region_state("Washington, District of Columbia") == "DC"
    assert region_state("Ontario") is None


def test_bad_numbers_go_to_quarantine_with_reason() -> None:
    good, bad, missing = recorded_row(), recorded_row(), recorded_row()
    bad["impressions"] = "12.5"
    del missing["date_start"]
    typed = typed_insights([good, bad, missing])
    assert len(typed.rows) == 1
    assert typed.quarantine["reason"].tolist() == [
        "'12.5' is not a whole number",
        "missing field 'date_start'",
    ]


@given(st.permutations(list(range(6))))
def test_fingerprint_ignores_order_but_not_values(order: list[int]) -> None:
    rows = []
    for i in range(6):
        row = recorded_row()
        row["campaign_id"] = str(i % 2)
        row["date_start"] = f"2023-06-0{i + 1}"
        rows.append(row)
    base = fingerprints(typed_insights(rows).rows)
    shuffled = fingerprints(typed_insights([rows[i] for i in order]).rows)
    assert shuffled == base
    rows[order[0]]["spend"] = "999.99"
    changed = fingerprints(typed_insights(rows).rows)
    touched = rows[order[0]]["campaign_id"]
    assert changed[touched] != base[touched]
    assert all(changed[c] == base[c] for c in base if c != touched)
