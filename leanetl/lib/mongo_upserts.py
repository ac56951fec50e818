"""``upsert_documents`` writes documents keyed by ``_id`` in batches: one read and at most one
``bulk_write`` per batch, skipping documents that are already stored as given."""

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pymongo import ReplaceOne
from pymongo.errors import BulkWriteError, WriteError

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

    Datetimes become naive UTC at millisecond precision (both stores return aware ones, the
    documents to write may hold either); bools are tagged because True == 1 in Python
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
