"""MongoDB: a pymongo client in prod, an embedded pymongo-compatible store locally.

Code reaches a database through ``MongoStore.session(domain)``. With ``uri`` that is the pymongo
client's database. With ``embedded_dir`` it is an in-memory mongomock-ng database loaded from
``<embedded_dir>/<db>.bson`` under an exclusive file lock and saved back (atomically, only if it
changed) when the session ends without an exception: separate processes take turns, and a step
that fails leaves the previous state whole.

The IO manager stores an asset as the documents of collection ``<asset>`` in database
``<domain>``. A partition is replaced without multi-document transactions (which need a replica
set): new documents are written under a fresh batch id, then one single-document write to
``_leanetl_commits`` makes that batch the partition's committed one, then the older batches are
deleted. Readers only see the committed batch, so a write that fails half-way is never visible and
the previous partition stays readable.

``upsert_documents`` writes documents keyed by ``_id`` in batches: one read and at most one
``bulk_write`` per batch, skipping documents that are already stored as given.
"""

import datetime as dt
import fcntl
import hashlib
import math
import os
import tempfile
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bson
import dagster as dg
import numpy as np
import pandas as pd
from bson.codec_options import CodecOptions
from pydantic import PrivateAttr
from pymongo import ReplaceOne
from pymongo.errors import BulkWriteError, PyMongoError, WriteError

from leanetl.lib.redact import redacted_error

PARTITION_FIELD = "_leanetl_dt"
BATCH_FIELD = "_leanetl_batch"
COMMITS = "_leanetl_commits"
UNPARTITIONED = "__all__"
_INSERT_BATCH = 1000
_LOCK_FILE = ".lock"
# mongomock-ng keeps datetimes naive UTC. UUIDs stay bson.Binary, as pymongo's default returns them.
_SNAPSHOT_CODEC = CodecOptions(tz_aware=False)


class MongoStore(dg.ConfigurableResource):
    """A pymongo ``MongoClient`` for ``uri``, or the embedded store under ``embedded_dir``."""

    uri: str = ""
    embedded_dir: str = ""
    db_prefix: str = ""

    _client: Any = PrivateAttr(default=None)

    def get_client(self) -> Any:
        """The (cached) pymongo client for ``uri``; the embedded store is reached by sessions."""
        if not self.uri:
            raise ValueError(
                "MongoStore.get_client needs a uri (LEANETL_MONGO_URI); use session() for the "
                "embedded store"
            )
        if self._client is None:
            import pymongo

            self._client = pymongo.MongoClient(self.uri, tz_aware=True)
        return self._client

    @contextmanager
    def session(self, domain: str) -> Iterator[Any]:
        """The pymongo-compatible database ``<db_prefix><domain>`` for the ``with`` block."""
        name = f"{self.db_prefix}{domain}"
        if self.uri:
            try:
                yield self.get_client()[name]
            except PyMongoError as exc:
                # Server errors may quote the URI, credentials included: scrubbed, not chained.
                raise redacted_error(f"MongoDB database {name}", exc) from None
        elif self.embedded_dir:
            with embedded_session(Path(self.embedded_dir), name) as database:
                yield database
        else:
            raise ValueError("MongoStore needs a uri (LEANETL_MONGO_URI) or an embedded_dir")


# --- the embedded store -------------------------------------------------------------------------

_FAST_ID_LOOKUP = "_leanetl_fast_id_lookup"
_held_locks = threading.local()


def embedded_client() -> Any:
    """A fresh in-memory mongomock-ng client whose lookups by ``_id`` skip the full scan."""
    import mongomock_ng

    _install_id_lookup()
    client = mongomock_ng.MongoClient()
    setattr(client, _FAST_ID_LOOKUP, True)
    return client


def _lookup_ids(filter: Any) -> list[Any] | None:
    """The ids of a filter that is exactly ``{"_id": id}`` or ``{"_id": {"$in": [ids]}}``.

    Only str/int/ObjectId ids qualify: for those a dict lookup finds every document the query
    matches (bool and float ids have cross-type equality rules a dict lookup does not follow).
    """
    from bson import ObjectId

    if not isinstance(filter, Mapping) or len(filter) != 1 or "_id" not in filter:
        return None
    value = filter["_id"]
    if isinstance(value, Mapping):
        if len(value) != 1 or not isinstance(value.get("$in"), list | tuple):
            return None
        ids = list(value["$in"])
    else:
        ids = [value]
    return ids if all(type(i) in (str, int, ObjectId) for i in ids) else None


def _install_id_lookup() -> None:
    """Patch mongomock-ng's ``Collection._iter_documents`` (once) with an ``_id`` fast path.

    Upstream scans every document for every query, so 100K upserts by ``_id`` are quadratic. The
    patch only acts on clients made by ``embedded_client`` (others keep the scan), looks the ids
    up in the collection's dict, and still runs mongomock's own matcher on each document found
    (against the id that found it), so it returns the same documents as the scan (in ``$in``
    order rather than insertion order).
    """
    from mongomock_ng.collection import Collection
    from mongomock_ng.filtering import filter_applies

    if getattr(Collection._iter_documents, _FAST_ID_LOOKUP, False):
        return
    scan = Collection._iter_documents

    def iter_documents(self: Any, filter: Any) -> Iterator[dict[str, Any]]:
        # vars(): mongomock's client answers any unknown attribute with a Database.
        fast = vars(self.database.client).get(_FAST_ID_LOOKUP, False)
        ids = _lookup_ids(filter) if fast else None
        if ids is None:
            return scan(self, filter)
        found = []
        for key in dict.fromkeys(ids):  # $in may repeat an id; a document is returned once
            try:
                found.append((key, self._store[key]))
            except KeyError:
                continue
        # Matched against its own id rather than the whole $in list (linear in the list per doc).
        return (doc for key, doc in found if filter_applies({"_id": key}, doc))

    setattr(iter_documents, _FAST_ID_LOOKUP, True)
    Collection._iter_documents = iter_documents


def _store_key(document_id: Any) -> Any:
    from mongomock_ng import helpers

    return helpers.hashdict(document_id) if isinstance(document_id, dict) else document_id


def load_snapshot(database: Any, data: bytes) -> None:
    """Fill an empty mongomock-ng database from ``dump_snapshot`` bytes.

    Documents go straight into the collection stores: ``insert_many`` would re-validate each one
    and re-check unique indexes against every stored document (quadratic).
    """
    records = bson.decode_all(data, _SNAPSHOT_CODEC)
    position = 0
    while position < len(records):
        header = records[position]
        store = database._store[header["collection"]]
        store.create(**header["options"])
        for index in header["indexes"]:
            spec = dict(index["spec"], key=[tuple(k) for k in index["spec"]["key"]])
            store.create_index(index["name"], spec)
        documents = records[position + 1 : position + 1 + header["documents"]]
        for document in documents:
            store[_store_key(document["_id"])] = document
        position += 1 + header["documents"]


def dump_snapshot(database: Any) -> bytes:
    """A mongomock-ng database as BSON: per collection, a header then its documents.

    Deterministic (store order, BSON's own key order), so an unchanged database encodes to the
    bytes it was loaded from.
    """
    parts: list[bytes] = []
    for name in database._store.list_created_collection_names():
        store = database._store[name]
        documents = list(store.documents)
        header = {
            "collection": name,
            "options": store.options,
            "indexes": [{"name": n, "spec": s} for n, s in store.indexes.items()],
            "documents": len(documents),
        }
        parts.append(bson.encode(header, codec_options=_SNAPSHOT_CODEC))
        parts.extend(bson.encode(d, codec_options=_SNAPSHOT_CODEC) for d in documents)
    return b"".join(parts)


def _write_atomically(path: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    # The rename itself must reach the disk too.
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


@contextmanager
def _exclusive(directory: Path, name: str) -> Iterator[None]:
    """Hold ``directory``'s lock file while database ``name`` is open.

    flock conflicts between separate opens even in one process, so a thread that nests sessions
    reuses the lock it holds instead of waiting on itself forever.
    """
    held: dict[Path, set[str]] = _held_locks.__dict__.setdefault("held", {})
    key = directory.resolve()
    if key in held:
        if name in held[key]:
            raise RuntimeError(f"a session on {name} in {directory} is already open in this thread")
        held[key].add(name)
        try:
            yield
        finally:
            held[key].discard(name)
        return
    fd = os.open(key / _LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        held[key] = {name}
        try:
            yield
        finally:
            del held[key]
    finally:
        os.close(fd)  # releases the lock


@contextmanager
def embedded_session(directory: Path, name: str) -> Iterator[Any]:
    """Database ``name`` of the embedded store in ``directory``, saved if the block succeeds."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.bson"
    with _exclusive(directory, name):
        data = path.read_bytes() if path.exists() else b""
        loaded = hashlib.sha256(data).digest()
        database = embedded_client()[name]
        load_snapshot(database, data)
        del data
        yield database
        # Not reached when the block raises: its writes are dropped with the client.
        data = dump_snapshot(database)
        if hashlib.sha256(data).digest() != loaded:
            _write_atomically(path, data)


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
    """Replace one partition of ``collection`` with ``documents``; returns how many were written."""
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


# --- upserts ------------------------------------------------------------------------------------


@dataclass
class UpsertStats:
    inserted: int
    updated: int
    unchanged: int
    write_round_trips: int
    read_round_trips: int


class UpsertError(RuntimeError):
    """Some documents of an upsert were rejected; ``stats`` counts the batches written before."""

    def __init__(self, message: str, stats: UpsertStats) -> None:
        super().__init__(message)
        self.stats = stats


def _comparable(value: Any) -> Any:
    """``value`` as the server stores it, so equal documents compare equal in Python.

    Datetimes become naive UTC at millisecond precision (a real server returns aware ones with
    tz_aware=True, the embedded store naive ones); bools are tagged because True == 1 in Python
    but not in MongoDB; NaN equals NaN; tuples are arrays. 1 == 1.0 already holds, and field
    order within a sub-document is ignored.
    """
    kind = type(value)
    if kind is str or kind is int or value is None:  # most values: return before isinstance
        return value
    if kind is float:
        return ("nan",) if math.isnan(value) else value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    if isinstance(value, Mapping):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_comparable(v) for v in value]
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    return value


def _id_key(value: Any) -> Any:
    """A hashable key under which equal ``_id`` values (as MongoDB compares them) meet."""
    value = _comparable(value)
    return repr(value) if isinstance(value, dict | list) else value


def _unchanged(new: Mapping[str, Any], stored: Mapping[str, Any], ignore: frozenset[str]) -> bool:
    return _comparable({k: v for k, v in new.items() if k not in ignore}) == _comparable(
        {k: v for k, v in stored.items() if k not in ignore}
    )


def upsert_documents(
    collection: Any,
    documents: Sequence[dict[str, Any]],
    *,
    batch_size: int = 1000,
    ignore_fields: Sequence[str] = ("updated_at",),
    one_call_per_document: bool = False,
) -> UpsertStats:
    """Insert or replace ``documents`` by their ``_id``, skipping those already stored as given.

    Per batch: one ``find`` of the batch's ids, then one unordered ``bulk_write`` of ReplaceOne
    upserts for the new and changed documents (none if nothing changed), or with
    ``one_call_per_document`` one ``replace_one`` per such document (the slow baseline).
    Top-level ``ignore_fields`` are left out of the comparison but written when a document is.
    Raises UpsertError naming the first rejected document; earlier batches stay written.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    ignore = frozenset(ignore_fields) - {"_id"}
    seen: set[Any] = set()
    for document in documents:
        if "_id" not in document:
            raise ValueError(f"upsert into {collection.full_name}: a document has no _id")
        # Unordered writes of one _id twice would leave either version.
        if _id_key(document["_id"]) in seen:
            raise ValueError(
                f"upsert into {collection.full_name}: _id {document['_id']!r} appears twice"
            )
        seen.add(_id_key(document["_id"]))

    stats = UpsertStats(0, 0, 0, 0, 0)
    projection = {f: 0 for f in ignore} or None
    for start in range(0, len(documents), batch_size):
        batch = documents[start : start + batch_size]
        ids = [d["_id"] for d in batch]
        # batch_size asks for the whole batch in the first reply (no getMore while under 16 MiB).
        stored = {
            _id_key(d["_id"]): d
            for d in collection.find({"_id": {"$in": ids}}, projection, batch_size=len(ids))
        }
        stats.read_round_trips += 1
        changed = [
            d
            for d in batch
            if (old := stored.get(_id_key(d["_id"]))) is None or not _unchanged(d, old, ignore)
        ]
        stats.unchanged += len(batch) - len(changed)
        if not changed:
            continue
        if one_call_per_document:
            _replace_each(collection, changed, stats)
        else:
            _bulk_replace(collection, changed, stats)
    return stats


def _bulk_replace(collection: Any, changed: list[dict[str, Any]], stats: UpsertStats) -> None:
    requests = [ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in changed]
    stats.write_round_trips += 1
    try:
        result = collection.bulk_write(requests, ordered=False)
    except BulkWriteError as error:
        details = error.details
        errors = [(changed[e["index"]]["_id"], e["errmsg"]) for e in details["writeErrors"]]
        written = len(changed) - len(errors)
        _count(stats, written, details.get("nUpserted", 0), details.get("nModified", 0))
        raise _upsert_error(collection, errors, len(changed), stats) from error
    _count(stats, len(changed), result.upserted_count, result.modified_count)


def _replace_each(collection: Any, changed: list[dict[str, Any]], stats: UpsertStats) -> None:
    inserted = modified = 0
    errors: list[tuple[Any, str]] = []
    for document in changed:
        stats.write_round_trips += 1
        try:
            result = collection.replace_one({"_id": document["_id"]}, document, upsert=True)
        except WriteError as error:  # carry on like the unordered bulk_write does
            errors.append((document["_id"], str(error)))
            continue
        inserted += result.upserted_id is not None
        modified += result.modified_count
    _count(stats, len(changed) - len(errors), inserted, modified)
    if errors:
        raise _upsert_error(collection, errors, len(changed), stats)


def _count(stats: UpsertStats, written: int, inserted: int, modified: int) -> None:
    stats.inserted += inserted
    stats.updated += modified
    # Matched but left as is by the server (e.g. an equal value of another BSON type).
    stats.unchanged += max(0, written - inserted - modified)


def _upsert_error(
    collection: Any, errors: list[tuple[Any, str]], attempted: int, stats: UpsertStats
) -> UpsertError:
    first_id, message = errors[0]
    return UpsertError(
        f"upsert into {collection.full_name} failed for {len(errors)} of the {attempted} "
        f"documents written in a batch; first _id={first_id!r}: {message}. Earlier batches and "
        "that batch's other documents were written.",
        stats,
    )


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
        documents = frame_to_documents(obj) if isinstance(obj, pd.DataFrame) else list(obj)
        partitions = list(context.asset_partition_keys) if context.has_asset_partitions else []
        if len(partitions) > 1:
            raise ValueError(
                f"{context.asset_key.to_user_string()}: the Mongo IO manager writes one partition "
                "per run"
            )
        partition = partitions[0] if partitions else UNPARTITIONED
        with self.mongo.session(domain) as database:
            written = replace_partition(database, collection, partition, documents)
        context.add_output_metadata(
            {"dagster/row_count": written, "collection": f"{domain}.{collection}"}
        )

    def load_input(self, context: dg.InputContext) -> pd.DataFrame:
        domain, collection = self._where(context.asset_key)
        partitions = (
            list(context.asset_partition_keys) if context.has_asset_partitions else [UNPARTITIONED]
        )
        with self.mongo.session(domain) as database:
            rows = [doc for p in partitions for doc in read_partition(database, collection, p)]
        return pd.DataFrame(rows)
