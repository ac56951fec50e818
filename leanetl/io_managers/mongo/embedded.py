"""The embedded store: an in-memory mongomock-ng database loaded from ``<dir>/<db>.bson`` under an
exclusive file lock and saved back (atomically, only if it changed) when the session ends without
an exception: separate processes take turns, and a step that fails leaves the previous state whole.
"""

import fcntl
import hashlib
import os
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import bson
from bson.codec_options import CodecOptions

_LOCK_FILE = ".lock"
# mongomock-ng keeps datetimes naive UTC inside (the client hands them out tz-aware, see
# embedded_client). UUIDs stay bson.Binary, as pymongo's default returns them.
_SNAPSHOT_CODEC = CodecOptions(tz_aware=False)


# --- the embedded store -------------------------------------------------------------------------

_FAST_ID_LOOKUP = "_leanetl_fast_id_lookup"
_held_locks = threading.local()


def embedded_client() -> Any:
    """A fresh in-memory mongomock-ng client whose lookups by ``_id`` skip the full scan. Dates
    come back tz-aware in UTC, as prod's client (``tz_aware=True``) returns them from a server:
    a run reads the same values from either store (a quarantined document's raw text too)."""
    import mongomock_ng

    _install_id_lookup()
    client = mongomock_ng.MongoClient(tz_aware=True)
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
