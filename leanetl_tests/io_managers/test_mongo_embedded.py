"""The embedded store: snapshot persistence, the file lock, and the ``_id`` fast path."""

import datetime as dt
import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

import mongomock_ng
import pytest
from bson import Binary, Int64, ObjectId
from mongomock_ng.store import CollectionStore
from pymongo import ReplaceOne, UpdateOne
from pymongo.errors import DuplicateKeyError

from leanetl.io_managers.mongo import MongoStore, embedded_client

REPO = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent(
    """
    import datetime as dt, sys, time
    from pathlib import Path
    from bson import ObjectId
    from leanetl.io_managers.mongo import MongoStore

    directory, name, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    store = MongoStore(embedded_dir=directory)
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.01)
    for _ in range(count):
        with store.session("demo") as db:
            # Read-modify-write in Python: without the lock, interleaved sessions lose updates.
            doc = db.counters.find_one({"_id": "total"}) or {"_id": "total", "n": 0}
            doc["n"] += 1
            doc[name] = doc.get(name, 0) + 1
            db.counters.replace_one({"_id": "total"}, doc, upsert=True)
    with store.session("demo") as db:
        db.writers.insert_one(
            {"_id": ObjectId(), "name": name, "at": dt.datetime(2025, 3, 14, 9, 26, 53, 589000)}
        )
    """
)


def test_concurrent_processes_take_turns_and_persist(tmp_path: Path) -> None:
    directory, go, count = tmp_path / "mongo", tmp_path / "go", 60
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(directory), name, str(count), str(go)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    for writer in writers:  # both imported and waiting, so their sessions overlap
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
    go.touch()
    for writer in writers:
        assert writer.wait(timeout=120) == 0

    with MongoStore(embedded_dir=str(directory)).session("demo") as db:
        assert db.counters.find_one({"_id": "total"}) == {
            "_id": "total",
            "n": 2 * count,
            "a": count,
            "b": count,
        }
        written = list(db.writers.find({}, {"_id": 1, "at": 1, "name": 1}))
    assert sorted(d["name"] for d in written) == ["a", "b"]
    assert all(isinstance(d["_id"], ObjectId) for d in written)
    # Returned as a server returns it to prod's client: tz-aware, UTC.
    assert {d["at"] for d in written} == {dt.datetime(2025, 3, 14, 9, 26, 53, 589000, dt.UTC)}


def test_values_round_trip_through_the_snapshot(tmp_path: Path) -> None:
    store = MongoStore(embedded_dir=str(tmp_path))
    oid, key = ObjectId(), Binary.from_uuid(uuid.uuid4())
    document = {
        "_id": oid,
        "aware": dt.datetime(2025, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=-6))),
        "naive": dt.datetime(2025, 1, 1, 12, 0, 0, 123456),
        "big": 2**40,
        "small": Int64(7),
        "ratio": 0.5,
        "raw": b"\x00\x01",
        "key": key,
        "nested": {"list": [1, "two", None, {"x": True}]},
    }
    with store.session("demo") as db:
        db.things.insert_one(document)
        db.others.insert_one({"_id": {"compound": 1, "key": "a"}, "v": 1})
    with store.session("demo") as db:
        loaded = db.things.find_one({"_id": oid})
        assert db.others.find_one({"_id": {"compound": 1, "key": "a"}})["v"] == 1
    assert loaded == {
        **document,
        # Stored in UTC and returned tz-aware, as mongod and prod's client (tz_aware) do; a
        # naive datetime is taken as UTC; millisecond precision.
        "aware": dt.datetime(2025, 1, 1, 18, tzinfo=dt.UTC),
        "naive": dt.datetime(2025, 1, 1, 12, 0, 0, 123000, tzinfo=dt.UTC),
    }
    assert type(loaded["small"]) is Int64 and type(loaded["key"]) is Binary


def test_exception_in_a_session_discards_its_writes(tmp_path: Path) -> None:
    store = MongoStore(embedded_dir=str(tmp_path))
    with store.session("demo") as db:
        db.c.insert_one({"_id": 1, "v": "kept"})
    before = (tmp_path / "demo.bson").read_bytes()
    with pytest.raises(RuntimeError, match="step failed"), store.session("demo") as db:
        db.c.update_one({"_id": 1}, {"$set": {"v": "lost"}})
        db.c.insert_one({"_id": 2})
        raise RuntimeError("step failed")
    assert (tmp_path / "demo.bson").read_bytes() == before
    with store.session("demo") as db:
        assert list(db.c.find()) == [{"_id": 1, "v": "kept"}]


def test_read_only_session_leaves_the_snapshot_untouched(tmp_path: Path) -> None:
    store = MongoStore(embedded_dir=str(tmp_path))
    with store.session("demo") as db:
        db.c.insert_many(
            [{"_id": i, "at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC)} for i in range(5)]
        )
        db.c.create_index("at")
    path = tmp_path / "demo.bson"
    before, stat = path.read_bytes(), path.stat()
    time.sleep(0.02)  # so that a rewrite would show in the mtime
    with store.session("demo") as db:
        assert db.c.count_documents({}) == 5
        db.c.create_index("at")  # idempotent: same index, nothing changes
        db.c.update_one({"_id": 1}, {"$set": {"at": dt.datetime(2025, 1, 1)}})  # same value
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == stat.st_mtime_ns and path.stat().st_ino == stat.st_ino
    # A session on a database that has no snapshot and writes nothing creates none.
    with store.session("empty") as db:
        assert db.c.find_one({}) is None
    assert not (tmp_path / "empty.bson").exists()


def test_unique_index_survives_a_reload(tmp_path: Path) -> None:
    store = MongoStore(embedded_dir=str(tmp_path))
    with store.session("demo") as db:
        db.people.create_index("email", unique=True, name="email_unique")
        db.people.insert_one({"_id": 1, "email": "a@example.org"})
    with store.session("demo") as db:
        assert db.people.index_information()["email_unique"]["unique"] is True
        db.people.create_index("email", unique=True, name="email_unique")  # same spec: accepted
        with pytest.raises(DuplicateKeyError):
            db.people.insert_one({"_id": 2, "email": "a@example.org"})


def test_nested_sessions_share_the_lock_but_not_a_database(tmp_path: Path) -> None:
    store = MongoStore(embedded_dir=str(tmp_path))
    with store.session("a") as a, store.session("b") as b:  # would deadlock on a second flock
        a.c.insert_one({"_id": 1})
        b.c.insert_one({"_id": 2})
    with store.session("a"), pytest.raises(RuntimeError, match="already open"), store.session("a"):
        pass
    with store.session("a") as a, store.session("b") as b:
        assert a.c.find_one()["_id"] == 1 and b.c.find_one()["_id"] == 2


# --- the _id fast path ---------------------------------------------------------------------------

# Both stores key documents by Python equality, so 1, 1.0 and True cannot all be stored.
IDS: list[Any] = ["a", "b", "missing", 1, 2, 3, 1.0, 2.5, True, ObjectId(), Int64(1), ObjectId()]


def _seed(collection: Any) -> None:
    collection.insert_many(
        [
            {"_id": "a", "v": 1},
            {"_id": "b", "v": 2},
            {"_id": 1, "v": 3},
            {"_id": 2.5, "v": 4},
            {"_id": 3.0, "v": 6},  # an int query finds it (as on mongod)
        ]
    )
    collection.insert_one({"_id": IDS[9], "v": 5})


def _same(fast: Any, slow: Any, filter: dict[str, Any]) -> None:
    def key(doc: dict[str, Any]) -> str:
        return repr(doc)

    assert sorted(fast.find(filter), key=key) == sorted(slow.find(filter), key=key), filter
    assert fast.count_documents(filter) == slow.count_documents(filter), filter


def test_id_lookups_match_the_scan() -> None:
    fast, slow = embedded_client()["d"]["c"], mongomock_ng.MongoClient()["d"]["c"]
    for collection in (fast, slow):
        _seed(collection)
    for value in IDS:
        _same(fast, slow, {"_id": value})
    for values in (IDS, ["a", "a", "missing"], [], [1, 3, "a"], [1, 1.0, True], ["b", ObjectId()]):
        _same(fast, slow, {"_id": {"$in": values}})
    _same(fast, slow, {"_id": {"$in": ["a"]}, "v": 2})  # not exactly an id filter: the scan


def test_upserts_through_the_fast_path_match_the_scan() -> None:
    fast, slow = embedded_client()["d"]["c"], mongomock_ng.MongoClient()["d"]["c"]
    results = []
    for collection in (fast, slow):
        _seed(collection)
        one = collection.update_one({"_id": "a"}, {"$inc": {"v": 10}}, upsert=True)
        new = collection.update_one({"_id": "new"}, {"$set": {"v": 0}}, upsert=True)
        bulk = collection.bulk_write(
            [
                ReplaceOne({"_id": "b"}, {"v": 20}, upsert=True),
                ReplaceOne({"_id": 7}, {"v": 70}, upsert=True),
                UpdateOne({"_id": {"$in": [1, "nope"]}}, {"$set": {"w": 1}}),
            ],
            ordered=False,
        )
        deleted = collection.delete_one({"_id": 2.5}).deleted_count
        results.append(
            (
                one.matched_count,
                new.upserted_id,
                bulk.upserted_count,
                bulk.modified_count,
                deleted,
                sorted(map(repr, collection.find())),
            )
        )
    assert results[0] == results[1]


def test_fast_path_does_not_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    collection = embedded_client()["d"]["c"]
    _seed(collection)

    def scanned(self: CollectionStore) -> None:
        raise AssertionError("full scan")

    monkeypatch.setattr(CollectionStore, "documents", property(scanned))
    assert collection.find_one({"_id": "a"})["v"] == 1
    assert len(list(collection.find({"_id": {"$in": ["a", "b", "x"]}}))) == 2
    collection.replace_one({"_id": "z"}, {"v": 9}, upsert=True)
    collection.bulk_write([ReplaceOne({"_id": "a"}, {"v": 0}, upsert=True)])
    assert collection.find_one({"_id": "a"}) == {"_id": "a", "v": 0}
    with pytest.raises(AssertionError, match="full scan"):
        collection.find_one({"v": 0})


def test_lock_file_lives_in_the_store(tmp_path: Path) -> None:
    with MongoStore(embedded_dir=str(tmp_path / "m")).session("demo"):
        assert os.path.exists(tmp_path / "m" / ".lock")
