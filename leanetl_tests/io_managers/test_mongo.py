from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dagster as dg
import mongomock_ng as mongomock
import pandas as pd
import pytest

from leanetl.io_managers.mongo import MongoIOManager, MongoStore
from leanetl.io_managers.mongo.io_manager import BATCH_FIELD, read_partition, replace_partition

DAYS = dg.DailyPartitionsDefinition(start_date="2025-01-01")


_SHARED: dict[str, Any] = {}


class InMemoryMongo(MongoStore):
    """Plain mongomock-ng (in memory, one client per test, upstream full scans) behind sessions."""

    @contextmanager
    def session(self, domain: str) -> Iterator[Any]:
        yield _SHARED.setdefault(self.embedded_dir, mongomock.MongoClient())[domain]


@pytest.fixture(params=["embedded", "mongomock-ng"])
def mongo(request: pytest.FixtureRequest, tmp_path) -> MongoStore:
    if request.param == "embedded":
        return MongoStore(embedded_dir=str(tmp_path / "mongo"))
    return InMemoryMongo(embedded_dir=str(tmp_path))


def _run(mongo: MongoStore, frames: dict[str, pd.DataFrame], day: str):
    @dg.asset(key=["demo", "canvases"], partitions_def=DAYS, io_manager_key="mongo_io")
    def canvases(context: dg.AssetExecutionContext) -> pd.DataFrame:
        return frames[context.partition_key]

    @dg.asset(
        key=["demo", "reader"], partitions_def=DAYS, ins={"c": dg.AssetIn(["demo", "canvases"])}
    )
    def reader(c: pd.DataFrame) -> pd.DataFrame:
        return c

    return dg.materialize(
        [canvases, reader],
        partition_key=day,
        resources={"mongo_io": MongoIOManager(mongo=mongo)},
        raise_on_error=False,
    )


def test_round_trip(mongo: MongoStore) -> None:
    frame = pd.DataFrame({"user": ["a", "b"], "amount": [10.5, None], "n": [1, 2]})
    result = _run(mongo, {"2025-01-01": frame}, "2025-01-01")
    assert result.success
    loaded = result.output_for_node("demo__reader")
    assert loaded["user"].tolist() == ["a", "b"]
    assert loaded["n"].tolist() == [1, 2]
    assert pd.isna(loaded["amount"].iloc[1])


def test_rerun_replaces_partition_and_keeps_others(mongo: MongoStore) -> None:
    frames = {"2025-01-01": pd.DataFrame({"x": [1, 2]}), "2025-01-02": pd.DataFrame({"x": [3]})}
    _run(mongo, frames, "2025-01-01")
    _run(mongo, frames, "2025-01-02")
    frames["2025-01-01"] = pd.DataFrame({"x": [9]})
    _run(mongo, frames, "2025-01-01")
    _run(mongo, frames, "2025-01-01")
    with mongo.session("demo") as db:
        assert [d["x"] for d in read_partition(db, "canvases", "2025-01-01")] == [9]
        assert [d["x"] for d in read_partition(db, "canvases", "2025-01-02")] == [3]
        assert db["canvases"].count_documents({}) == 2  # no duplicates left behind


def test_failed_write_keeps_previous_partition(mongo: MongoStore) -> None:
    with mongo.session("demo") as db:
        replace_partition(db, "canvases", "2025-01-01", [{"x": 1}, {"x": 2}])

    def documents():
        yield {"x": 3}
        raise RuntimeError("source broke mid-way")

    # Caught inside the session: replace_partition's own clean-up is what keeps the old batch.
    with mongo.session("demo") as db, pytest.raises(RuntimeError):
        replace_partition(db, "canvases", "2025-01-01", documents())
    with mongo.session("demo") as db:
        assert [d["x"] for d in read_partition(db, "canvases", "2025-01-01")] == [1, 2]
        assert db["canvases"].count_documents({}) == 2
        assert len({d[BATCH_FIELD] for d in db["canvases"].find({})}) == 1


def test_failed_asset_run_keeps_previous_partition(mongo: MongoStore) -> None:
    frames = {"2025-01-01": pd.DataFrame({"x": [1, 2]})}
    assert _run(mongo, frames, "2025-01-01").success
    frames["2025-01-01"] = pd.DataFrame({"x": [object()]})  # not BSON-encodable: the write fails
    assert not _run(mongo, frames, "2025-01-01").success
    with mongo.session("demo") as db:
        assert [d["x"] for d in read_partition(db, "canvases", "2025-01-01")] == [1, 2]
        assert db["canvases"].count_documents({}) == 2


def test_embedded_store_persists_across_resources(tmp_path) -> None:
    with MongoStore(embedded_dir=str(tmp_path / "m")).session("demo") as db:
        replace_partition(db, "c", "2025-01-01", [{"x": 1}])
    with MongoStore(embedded_dir=str(tmp_path / "m")).session("demo") as db:
        assert read_partition(db, "c", "2025-01-01") == [{"x": 1}]


def test_db_prefix_names_the_snapshot(tmp_path) -> None:
    with MongoStore(embedded_dir=str(tmp_path), db_prefix="dev_").session("demo") as db:
        assert db.name == "dev_demo"
        db["c"].insert_one({"x": 1})
    assert (tmp_path / "dev_demo.bson").exists()


def test_store_without_uri_or_dir_says_what_is_missing() -> None:
    with pytest.raises(ValueError, match="uri"), MongoStore().session("demo"):
        pass
    with pytest.raises(ValueError, match="session"):
        MongoStore(embedded_dir="/tmp/unused").get_client()


def test_a_callers_id_is_refused_since_batches_would_collide() -> None:
    store = MongoStore(embedded_dir="")
    manager = MongoIOManager(mongo=store)
    context = dg.build_output_context(asset_key=dg.AssetKey(["campaigns", "q"]))
    with pytest.raises(ValueError, match="gives documents their own _id"):
        manager.handle_output(context, pd.DataFrame({"_id": ["a"], "reason": ["bad"]}))


def test_an_unchanged_partition_is_not_rewritten() -> None:
    client = mongomock.MongoClient()
    db = client["campaigns"]
    replace_partition(db, "q", "2025-01-01", [{"x": 1}, {"x": 2}])
    batch = {d[BATCH_FIELD] for d in db["q"].find({})}
    commit = db["_leanetl_commits"].find_one({})
    assert replace_partition(db, "q", "2025-01-01", [{"x": 2}, {"x": 1}]) == 2
    assert {d[BATCH_FIELD] for d in db["q"].find({})} == batch
    assert db["_leanetl_commits"].find_one({}) == commit
    replace_partition(db, "q", "2025-01-01", [{"x": 3}])
    assert [d["x"] for d in read_partition(db, "q", "2025-01-01")] == [3]
