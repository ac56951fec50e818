"""One quarantine schema for every source."""

import json

import pandas as pd

from leanetl.lib.campaigns.documents import Campaign, validate_documents
from leanetl.lib.campaigns.insights import typed_insights
from leanetl.lib.leads.clean import clean_companies
from leanetl.lib.quarantine import (
    QUARANTINE_COLUMNS,
    combine,
    empty_quarantine,
    quarantine_frame,
    quarantined_share,
    raw_json,
    reason_counts,
)


def test_every_domain_quarantines_in_one_schema() -> None:
    companies = clean_companies(pd.DataFrame({"company": ["", "Acme"], "hq_location": ["X", "Y"]}))
    documents = validate_documents([{"_id": "cmp-x", "name": "no goal"}], Campaign)
    insights = typed_insights([{"campaign_id": "1", "date_start": "2025-01-02", "spend": "x"}])
    frames = [
        companies.quarantine,
        documents.quarantine_frame("mongodb campaigns.campaigns"),
        insights.quarantine,
    ]
    for frame in frames:
        assert tuple(frame.columns) == QUARANTINE_COLUMNS
        assert len(frame) == 1 and all(str(t) == "string" for t in frame.dtypes)
    assert [f["locator"].iloc[0] for f in frames] == [
        "row 2",
        "_id cmp-x",
        "campaign 1 day 2025-01-02 region ",
    ]
    assert json.loads(frames[1]["raw"].iloc[0]) == {"_id": "cmp-x", "name": "no goal"}
    assert frames[2]["source"].iloc[0] == "graph api insights"


def test_helpers() -> None:
    assert list(empty_quarantine().columns) == list(QUARANTINE_COLUMNS)
    one = quarantine_frame("f.csv", ["line 2", "line 3"], ["bad a", "bad a"], ["1,x", "2,y"])
    other = quarantine_frame(["s1"], ["row 9"], ["missing b"], ["{}"])
    both = combine([one, empty_quarantine(), other])
    assert both["source"].tolist() == ["f.csv", "f.csv", "s1"]
    assert reason_counts(both) == {"bad a": 2, "missing b": 1}
    assert combine([]).empty and quarantined_share(0, 0) == 0.0
    assert quarantined_share(1, 4) == 0.25
    assert len(raw_json({"x": "y" * 5000})) == 2000
