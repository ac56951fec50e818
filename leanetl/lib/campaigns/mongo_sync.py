"""The campaigns' MongoDB writes: expenditures, then canvases and the record of what each
campaign's outputs were written from (written last: only then is a campaign up to date).
Typed against a database as pymongo (or the embedded store) hands it out, not a Dagster
resource: the step opens the session and passes the database in."""

import datetime as dt
from collections.abc import Mapping
from typing import Any, Protocol

import pandas as pd

from leanetl.lib.campaigns.outputs import APPLY
from leanetl.lib.mongo_upserts import UpsertStats, upsert_documents

EXPENDITURES_COLLECTION = "expenditures"
CANVASES_COLLECTION = "canvases"
SYNC_COLLECTION = "_leanetl_sync"


class Database(Protocol):
    def __getitem__(self, collection: str) -> Any: ...


def last_written(database: Database) -> dict[str, dict[str, Any]]:
    """Per campaign, the fingerprint its outputs were last written from (and the day, time)."""
    return {d["_id"]: d for d in database[SYNC_COLLECTION].find({})}


def write_expenditures(
    database: Database, documents: list[dict], now: dt.datetime
) -> tuple[UpsertStats, Mapping[str, Any]]:
    """Upsert the expenditure documents; with the spend Mongo then holds for each (_id ->
    spend), read back for the check that Mongo holds what was fetched."""
    collection = database[EXPENDITURES_COLLECTION]
    stats = upsert_documents(collection, [{**d, "updated_at": now} for d in documents])
    if not documents:
        return stats, {}
    ids = [d["_id"] for d in documents]
    return stats, {
        d["_id"]: d["spend"] for d in collection.find({"_id": {"$in": ids}}, {"spend": 1})
    }


def write_canvases(
    database: Database, documents: list[dict], plan: pd.DataFrame, partition: str, now: dt.datetime
) -> UpsertStats:
    """Upsert the canvases, then record each applied campaign's fingerprint: only now are the
    campaign's outputs complete, so only now is it up to date."""
    stats = upsert_documents(
        database[CANVASES_COLLECTION],
        [{**d, "updated_at": now} for d in documents],
        ignore_fields=("updated_at", "as_of"),
    )
    for row in plan[plan["action"] == APPLY].itertuples(index=False):
        database[SYNC_COLLECTION].replace_one(
            {"_id": row.campaign_id},
            {
                "_id": row.campaign_id,
                "fingerprint": row.fingerprint,
                "partition": partition,
                "changed_at": now,
            },
            upsert=True,
        )
    return stats


def spend_history(database: Database, before: dt.datetime) -> pd.DataFrame:
    """Every expenditure document of a day before ``before`` (campaign, day, spend), with the
    campaign's name from the platform's campaigns (its id where it has none)."""
    names = {c["_id"]: c.get("name", c["_id"]) for c in database["campaigns"].find({})}
    found = database[EXPENDITURES_COLLECTION].find(
        {"day": {"$lt": before}}, {"campaign_id": 1, "day": 1, "spend": 1}
    )
    spend = pd.DataFrame(list(found), columns=["_id", "campaign_id", "day", "spend"])
    spend["campaign_name"] = spend["campaign_id"].map(names)
    return spend


def upsert_metadata(stats: UpsertStats) -> dict[str, int]:
    """What an upsert did, as the step's metadata."""
    return {
        "inserted": stats.inserted,
        "updated": stats.updated,
        "unchanged_documents": stats.unchanged,
        "mongo_write_round_trips": stats.write_round_trips,
        "mongo_read_round_trips": stats.read_round_trips,
    }
