"""The campaigns' Mongo writes (lib/campaigns/mongo_sync.py) on an in-memory database: no
Dagster, no resource; what a write leaves and what a second write of the same changes."""

import datetime as dt

import mongomock_ng as mongomock
import pandas as pd

from leanetl.lib.campaigns.mongo_sync import (
    last_written,
    spend_history,
    write_canvases,
    write_expenditures,
)

NOW = dt.datetime(2026, 3, 2, 12)


def _expenditure(campaign: str, day: int, spend: float) -> dict:
    when = dt.datetime(2026, 3, day)
    return {"_id": f"{campaign}|{when:%Y-%m-%d}|facebook", "campaign_id": campaign, "day": when,
            "channel": "facebook", "spend": spend}  # fmt: skip


def test_expenditures_are_upserted_read_back_and_named() -> None:
    database = mongomock.MongoClient()["campaigns"]
    database["campaigns"].insert_one({"_id": "c1", "name": "Clean water"})
    documents = [_expenditure("c1", 1, 10.5), _expenditure("c1", 2, 4.0)]
    stats, stored = write_expenditures(database, documents, NOW)
    assert (stats.inserted, stats.updated) == (2, 0)
    assert stored == {d["_id"]: d["spend"] for d in documents}
    again, _ = write_expenditures(database, documents, NOW)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    spend = spend_history(database, dt.datetime(2026, 3, 2))
    assert spend[["campaign_name", "spend"]].values.tolist() == [["Clean water", 10.5]]
    assert write_expenditures(database, [], NOW)[1] == {}


def test_canvases_then_what_each_applied_campaign_was_written_from() -> None:
    database = mongomock.MongoClient()["campaigns"]
    canvases = [{"_id": "u1|c1", "campaign_id": "c1", "user_id": "u1", "share_of_funds": 1.0}]
    plan = pd.DataFrame(
        {"campaign_id": ["c1", "c2"], "action": ["write", "unchanged"], "fingerprint": ["f1", "f2"]}
    )
    write_canvases(database, canvases, plan, "2026-03-02", NOW)
    assert database["canvases"].count_documents({}) == 1
    written = last_written(database)
    assert list(written) == ["c1"]  # only the applied campaign is recorded
    assert (written["c1"]["fingerprint"], written["c1"]["partition"]) == ("f1", "2026-03-02")
