"""The Mongo IO manager: an asset as the documents of collection ``<asset>`` in database
``<domain>``. A partition is replaced without multi-document transactions (which need a replica
set): new documents are written under a fresh batch id, then one single-document write to
``_leanetl_commits`` makes that batch the partition's committed one, then the older batches are
deleted. Readers only see the committed batch, so a write that fails half-way is never visible and
the previous partition stays readable."""

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from typing import Any

import dagster as dg
import numpy as np
import pandas as pd

from leanetl.io_managers.mongo.resource import MongoStore
from leanetl.lib.ranges import ADDED_DAY_COLUMN, PARTITION_COLUMN, day_slice

PARTITION_FIELD = "_leanetl_dt"
BATCH_FIELD = "_leanetl_batch"
COMMITS = "_leanetl_commits"
UNPARTITIONED = "__all__"
_INSERT_BATCH = 1000


# --- partitions ---------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """BSON-encodable Python value for one frame cell."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, np.generic):
        return value.item()
    return value


def frame_to_documents(frame: pd.DataFrame) -> list[dict[str, Any]]:
    columns = list(frame.columns)
    return [
        {c: _plain(v) for c, v in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def replace_partition(
    database: Any, collection: str, partition: str, documents: Iterable[dict[str, Any]]
) -> int:
    """Replace one partition of ``collection`` with ``documents``; returns how many it holds.

    When the committed batch already holds the same documents nothing is written at all, so a
    re-run with unchanged input leaves the database (and the embedded store's file) untouched.
    """
    documents = list(documents)
    committed = database[COMMITS].find_one({"_id": f"{collection}:{partition}"}) is not None
    if committed and _fingerprint(read_partition(database, collection, partition)) == _fingerprint(
        documents
    ):
        return len(documents)
    batch = uuid.uuid4().hex
    target = database[collection]
    written = 0
    try:
        chunk: list[dict[str, Any]] = []
        for doc in documents:
            chunk.append({**doc, PARTITION_FIELD: partition, BATCH_FIELD: batch})
            if len(chunk) >= _INSERT_BATCH:
                target.insert_many(chunk, ordered=False)
                written += len(chunk)
                chunk = []
        if chunk:
            target.insert_many(chunk, ordered=False)
            written += len(chunk)
    except BaseException:
        target.delete_many({BATCH_FIELD: batch})
        raise
    database[COMMITS].update_one(
        {"_id": f"{collection}:{partition}"},
        {"$set": {"batch": batch, "rows": written, "at": dt.datetime.now(dt.UTC)}},
        upsert=True,
    )
    target.delete_many({PARTITION_FIELD: partition, BATCH_FIELD: {"$ne": batch}})
    return written


def _fingerprint(documents: Iterable[dict[str, Any]]) -> list[str]:
    """An order-independent text form of documents, to tell an unchanged partition."""
    return sorted(json.dumps(d, sort_keys=True, default=str) for d in documents)


def read_partition(database: Any, collection: str, partition: str) -> list[dict[str, Any]]:
    """The committed documents of one partition, without leanetl's bookkeeping fields."""
    commit = database[COMMITS].find_one({"_id": f"{collection}:{partition}"})
    if commit is None:
        return []
    cursor = database[collection].find(
        {PARTITION_FIELD: partition, BATCH_FIELD: commit["batch"]},
        {"_id": 0, PARTITION_FIELD: 0, BATCH_FIELD: 0},
    )
    return list(cursor)


# --- the IO manager -----------------------------------------------------------------------------


class MongoIOManager(dg.ConfigurableIOManager):
    """Stores DataFrames (or lists of dicts) as documents; one batch per partition."""

    mongo: dg.ResourceDependency[MongoStore]

    @staticmethod
    def _where(key: dg.AssetKey) -> tuple[str, str]:
        path = list(key.path)
        return (path[0], path[-1]) if len(path) > 1 else ("default", path[0])

    def handle_output(
        self, context: dg.OutputContext, obj: pd.DataFrame | list[dict[str, Any]] | None
    ) -> None:
        if obj is None:
            return
        domain, collection = self._where(context.asset_key)
        partitions = list(context.asset_partition_keys) if context.has_asset_partitions else []
        if len(partitions) > 1 and not (
            isinstance(obj, pd.DataFrame) and PARTITION_COLUMN in obj.columns
        ):
            raise ValueError(
                f"{context.asset_key.to_user_string()}: a run over {len(partitions)} partitions "
                f"must return a frame with a '{PARTITION_COLUMN}' column to split by day"
            )
        # Every batch is checked before any is written.
        batches = {
            partition: self._documents(
                context, day_slice(obj, partition) if partitions[1:] else obj
            )
            for partition in partitions or [UNPARTITIONED]
        }
        written = 0
        with self.mongo.session(domain) as database:
            for partition, documents in batches.items():
                written += replace_partition(database, collection, partition, documents)
        context.add_output_metadata(
            {"dagster/row_count": written, "collection": f"{domain}.{collection}"}
        )

    @staticmethod
    def _documents(
        context: dg.OutputContext, obj: pd.DataFrame | list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        documents = frame_to_documents(obj) if isinstance(obj, pd.DataFrame) else list(obj)
        if any("_id" in d for d in documents):
            # Every partition's batch is new documents: a caller's _id would collide with the
            # previous batch of the same day and with other days.
            raise ValueError(
                f"{context.asset_key.to_user_string()}: the Mongo IO manager gives documents "
                "their own _id; store the value under another name (e.g. document_id)"
            )
        return documents

    def load_input(self, context: dg.InputContext) -> pd.DataFrame:
        domain, collection = self._where(context.asset_key)
        partitions = (
            list(context.asset_partition_keys) if context.has_asset_partitions else [UNPARTITIONED]
        )
        with self.mongo.session(domain) as database:
            if len(partitions) > 1 and context.step_context.has_partition_key_range:
                # A step over a range of days: each row with its day, split again per day.
                rows = [
                    {**doc, PARTITION_COLUMN: p}
                    for p in partitions
                    for doc in read_partition(database, collection, p)
                ]
                frame = pd.DataFrame(rows)
                frame.attrs[ADDED_DAY_COLUMN] = True
                return frame
            rows = [doc for p in partitions for doc in read_partition(database, collection, p)]
        return pd.DataFrame(rows)
