"""``upsert_documents`` on plain mongomock-ng (naive and tz-aware, like a real server with
tz_aware=True), on the persisted embedded store, and through prod's path: the real pymongo client
(``MongoStore(uri=…)``) over TCP against the MongoDB wire-protocol fake."""

import datetime as dt
import math
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mongomock_ng
import pytest
from pydantic import PrivateAttr

from leanetl.io_managers.mongo import MongoStore, UpsertError, UpsertStats, upsert_documents
from leanetl_tests.fakes.mongo_wire import MongoWireServer

START = dt.datetime(2025, 1, 1)


class InMemoryMongo(MongoStore):
    """Plain mongomock-ng in memory; ``tz_aware`` returns datetimes the way prod's client does."""

    tz_aware: bool = False
    _memory: Any = PrivateAttr(default=None)

    @contextmanager
    def session(self, domain: str) -> Iterator[Any]:
        if self._memory is None:
            self._memory = mongomock_ng.MongoClient(tz_aware=self.tz_aware)
        yield self._memory[domain]


@pytest.fixture(params=["mongomock-ng", "mongomock-ng tz_aware", "embedded", "pymongo wire"])
def mongo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MongoStore]:
    if request.param == "embedded":
        yield MongoStore(embedded_dir=str(tmp_path))
    elif request.param == "pymongo wire":
        with MongoWireServer() as server:
            store = MongoStore(uri=server.uri)
            yield store
            store.get_client().close()
    else:
        yield InMemoryMongo(tz_aware=request.param.endswith("tz_aware"))  # no embedded_dir


class Counting:
    """A collection that counts the calls which reach the server."""

    def __init__(self, collection: Any) -> None:
        self.collection, self.calls = collection, Counter[str]()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.collection, name)
        if name not in {"find", "bulk_write", "replace_one"}:
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return attribute(*args, **kwargs)

        return counted


def spend(n: int, *, updated_at: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Expenditure-shaped documents, as a connector would build them (tz-aware days)."""
    stamp = updated_at or dt.datetime.now(dt.UTC)
    docs = []
    for i in range(n):
        campaign, day = f"c{i // 100}", (START + dt.timedelta(days=i % 100)).replace(tzinfo=dt.UTC)
        docs.append(
            {
                "_id": f"{campaign}:{day:%Y-%m-%d}:facebook_ads",
                "campaign_id": campaign,
                "day": day,
                "channel": "facebook_ads",
                "spend": round(i * 1.37, 2),
                "impressions": i * 10,
                "clicks": i,
                "reach": i * 7,
                "currency": "USD",
                "updated_at": stamp,
            }
        )
    return docs


def upsert(mongo: MongoStore, docs: list[dict[str, Any]], **kwargs: Any) -> tuple[UpsertStats, Any]:
    with mongo.session("ads") as db:
        collection = Counting(db.spend)
        return upsert_documents(collection, docs, **kwargs), collection.calls


def stored(mongo: MongoStore) -> dict[str, dict[str, Any]]:
    with mongo.session("ads") as db:
        return {d["_id"]: d for d in db.spend.find()}


def test_batches_then_unchanged_documents_write_nothing(mongo: MongoStore, tmp_path: Path) -> None:
    # Plain mongomock-ng scans the collection per upsert (quadratic): a tenth of the size there.
    n, batch_size = (2500, 1000) if mongo.embedded_dir else (250, 100)
    docs = spend(n)
    stats, calls = upsert(mongo, docs, batch_size=batch_size)
    assert stats == UpsertStats(n, 0, 0, write_round_trips=3, read_round_trips=3)
    assert calls == {"find": 3, "bulk_write": 3}

    snapshot = tmp_path / "ads.bson"
    before = snapshot.stat() if snapshot.exists() else None
    time.sleep(0.02)
    later = spend(n, updated_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    stats, calls = upsert(mongo, later, batch_size=batch_size)
    assert stats == UpsertStats(0, 0, n, write_round_trips=0, read_round_trips=3)
    assert calls == {"find": 3}
    if before is not None:  # the embedded store did not rewrite its snapshot
        assert snapshot.stat().st_mtime_ns == before.st_mtime_ns
        assert snapshot.stat().st_ino == before.st_ino


def test_one_changed_field_rewrites_exactly_that_document(mongo: MongoStore) -> None:
    docs = spend(300)
    upsert(mongo, docs)
    before = stored(mongo)
    changed = [dict(d) for d in docs]
    changed[123]["clicks"] += 1
    changed[123]["updated_at"] = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    stats, calls = upsert(mongo, changed)
    assert stats == UpsertStats(0, 1, 299, write_round_trips=1, read_round_trips=1)
    assert calls == {"find": 1, "bulk_write": 1}
    after = stored(mongo)
    key = docs[123]["_id"]
    assert after[key]["clicks"] == before[key]["clicks"] + 1
    assert after[key]["updated_at"] > before[key]["updated_at"]  # written along with the change
    assert {k: v for k, v in after.items() if k != key} == {
        k: v for k, v in before.items() if k != key
    }


def test_ignore_fields(mongo: MongoStore) -> None:
    docs = spend(50)
    upsert(mongo, docs)
    restamped = spend(50, updated_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    stats, _ = upsert(mongo, restamped, ignore_fields=())
    assert (stats.updated, stats.write_round_trips) == (50, 1)
    renamed = [{**d, "currency": "EUR"} for d in restamped]
    stats, _ = upsert(mongo, renamed, ignore_fields=("currency", "updated_at"))
    assert (stats.unchanged, stats.write_round_trips) == (50, 0)
    assert {d["currency"] for d in stored(mongo).values()} == {"USD"}


def test_equal_values_of_other_python_types_are_unchanged(mongo: MongoStore) -> None:
    first = {
        "_id": "x",
        "day": dt.datetime(2025, 1, 1, 6, 0, 0, 123456),  # naive = UTC
        "spend": 1,
        "tags": ("a", "b"),
        "nested": {"a": 1, "b": [1.0, None]},
        "ratio": math.nan,
    }
    upsert(mongo, [first])
    same = {
        "_id": "x",
        "day": dt.datetime(2025, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-6))).replace(
            microsecond=123999
        ),  # same instant at the server's millisecond precision
        "spend": 1.0,
        "tags": ["a", "b"],
        "nested": {"b": [1, None], "a": 1.0},
        "ratio": float("nan"),
    }
    stats, calls = upsert(mongo, [same])
    assert (stats.unchanged, calls["bulk_write"]) == (1, 0)
    stats, _ = upsert(mongo, [{**same, "spend": True}])  # true is not 1 in MongoDB
    assert stats.updated == 1


def test_one_call_per_document(mongo: MongoStore) -> None:
    docs = spend(250)
    stats, calls = upsert(mongo, docs, batch_size=100, one_call_per_document=True)
    assert stats == UpsertStats(250, 0, 0, write_round_trips=250, read_round_trips=3)
    assert calls == {"find": 3, "replace_one": 250}
    changed = [{**d, "reach": -1} if i % 25 == 0 else d for i, d in enumerate(docs)]
    stats, calls = upsert(mongo, changed, batch_size=100, one_call_per_document=True)
    assert stats == UpsertStats(0, 10, 240, write_round_trips=10, read_round_trips=3)
    assert calls == {"find": 3, "replace_one": 10}


@pytest.mark.parametrize("one_call_per_document", [False, True])
def test_unique_index_violation_names_collection_count_and_first_id(
    mongo: MongoStore, one_call_per_document: bool
) -> None:
    with mongo.session("ads") as db:
        db.people.create_index("email", unique=True)
        db.people.insert_one({"_id": "p0", "email": "taken@example.org"})
        docs = [
            {"_id": "p1", "email": "new@example.org"},
            {"_id": "p2", "email": "taken@example.org"},
            {"_id": "p3", "email": "taken@example.org"},
        ]
        with pytest.raises(UpsertError) as raised:
            upsert_documents(db.people, docs, one_call_per_document=one_call_per_document)
        message = str(raised.value)
        assert message.startswith(
            "upsert into ads.people failed for 2 of the 3 documents written in a batch; "
            "first _id='p2': E11000"
        )
        assert raised.value.stats.inserted == 1
        assert db.people.count_documents({}) == 2  # unordered: the good document is written


def test_documents_need_one_distinct_id_each(mongo: MongoStore) -> None:
    with mongo.session("ads") as db:
        with pytest.raises(ValueError, match="has no _id"):
            upsert_documents(db.spend, [{"clicks": 1}])
        with pytest.raises(ValueError, match="'a' appears twice"):
            upsert_documents(db.spend, [{"_id": "a"}, {"_id": "b"}, {"_id": "a"}])
        assert db.spend.count_documents({}) == 0
