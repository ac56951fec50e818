"""Segment calls → one table per call type and one per track event (Segment's warehouse schema).

- Every table has the common columns: ``message_id``, ``anonymous_id``, ``user_id``,
  ``timestamp``, ``received_at``, ``sent_at``, ``original_timestamp`` (UTC), ``context_*``
  (the context object flattened with ``_``), and ``raw_object``/``raw_offset`` (where it was read).
- ``tracks``: every track call (+ ``event``, the name as sent, and ``event_table``); one table per
  track event named by ``naming.NameRegistry`` with ``properties`` flattened to columns;
  ``identifies`` (+ traits), ``pages`` and ``screens`` (+ ``name``, ``category``, properties),
  ``groups`` (+ ``group_id``, traits), ``aliases`` (+ ``previous_id``).
- Nested objects flatten with ``_`` (``{"page": {"path": …}}`` → ``page_path``); lists are
  kept as JSON text, and so is whatever lies deeper than ``MAX_DEPTH`` (32) objects. A record
  that cannot be kept at all (a list nested past orjson's limit, a timestamp outside years
  1-9999 in UTC) is a dead letter with its reason, never the end of the object.
- ``timestamp`` is the payload's, else ``originalTimestamp``, else ``receivedAt``. A record
  without ``type`` (or of an unknown type) or without a readable timestamp is dead-lettered.
- Track events of a name beyond ``NameRegistry.max_event_tables`` (setting) go to
  ``other_events`` (+ ``event``, ``event_table``, ``properties`` as JSON text, not flattened).
- Types: booleans, integers, floats, text; a column whose values have different kinds in one
  batch (other than integers with floats, which become floats) becomes text and is counted.
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain
from types import NoneType
from typing import Any

import orjson
import pandas as pd
import pyarrow as pa

from leanetl.lib.text import normalise_name
from leanetl.lib.web_events.naming import (
    CONTEXT,
    OVERFLOW_TABLE,
    NameRegistry,
    Path,
    path_key,
)

COMMON = (
    "message_id",
    "anonymous_id",
    "user_id",
    "timestamp",
    "received_at",
    "sent_at",
    "original_timestamp",
)
INSTANTS = ("timestamp", "received_at", "sent_at", "original_timestamp")
SOURCE_COLUMNS = ("raw_object", "raw_offset")
# call type -> (table, payload fields kept as columns, object flattened into columns)
CALLS = {
    "track": ("tracks", {"event": "event"}, "properties"),
    "identify": ("identifies", {}, "traits"),
    "page": ("pages", {"name": "name", "category": "category"}, "properties"),
    "screen": ("screens", {"name": "name", "category": "category"}, "properties"),
    "group": ("groups", {"groupId": "group_id"}, "traits"),
    "alias": ("aliases", {"previousId": "previous_id"}, None),
}
CALL_TABLES = tuple(table for table, _, _ in CALLS.values())
_PAYLOAD_KEYS = {
    "messageId": "message_id",
    "anonymousId": "anonymous_id",
    "userId": "user_id",
    "receivedAt": "received_at",
    "sentAt": "sent_at",
    "originalTimestamp": "original_timestamp",
}


class TableRows:
    """One table's rows; as columns (in the order they are first seen, None where a row lacks
    one) only when asked, which costs one pass per column instead of bookkeeping per value."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    @classmethod
    def of(cls, rows: Iterable[dict[str, Any]]) -> "TableRows":
        table = cls()
        table.rows.extend(rows)
        return table

    def __len__(self) -> int:
        return len(self.rows)

    def append(self, row: dict[str, Any]) -> None:
        self.rows.append(row)

    def columns(self) -> dict[str, list[Any]]:
        names = dict.fromkeys(chain.from_iterable(self.rows))
        return {name: [row.get(name) for row in self.rows] for name in names}


@dataclass
class Split:
    rows: dict[str, TableRows] = field(default_factory=lambda: defaultdict(TableRows))
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (record index, reason)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _instant(value: Any) -> dt.datetime | None:
    """An ISO 8601 instant as UTC (naive ones are UTC); None for a missing one. Only ISO 8601
    text is an instant (what Segment sends): ``now``, ``today``, ``14/03/2025`` and numbers are
    not read (no guess at a day order, never the run's clock)."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"unreadable timestamp {value!r}: not ISO 8601 text")
    try:
        # The common shape (Segment's), parsed by the standard library: ~10x pandas' speed.
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        # ISO 8601 spellings the standard library refuses ('2025-03-14 10:00:00.266 +00:00').
        parsed = pd.Timestamp(value) if _ISO_DATE.match(value) else None
        if parsed is None or pd.isna(parsed):
            raise ValueError(f"unreadable timestamp {value!r}"[:300]) from None
        stamp = parsed.to_pydatetime()
    return stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp.astimezone(dt.UTC)


MAX_DEPTH = 32


def flatten(value: Any, root: str) -> dict[Path, Any]:
    """A nested object as its paths (``{"a": {"b": 1}}`` → ``{(root, "a", "b"): 1}``); lists,
    and objects deeper than ``MAX_DEPTH``, as JSON text. Paths are kept apart here; names are
    given by the registry (``{"a": {"b": 1}, "a_b": 2}`` is two paths, two columns)."""
    out: dict[Path, Any] = {}
    if isinstance(value, dict):
        _flatten_into(out, value, (root,))
    elif value is not None:
        out[(root,)] = _json_text(value) if isinstance(value, list) else value
    return out


def _json_text(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError as exc:
        raise ValueError(f"a value nested too deep to keep ({exc})") from None


def _flatten_into(out: dict[Path, Any], value: dict, prefix: Path, depth: int = 0) -> None:
    if depth >= MAX_DEPTH:
        out[prefix] = _json_text(value)
        return
    for key, item in value.items():
        path = (*prefix, str(key))
        if isinstance(item, dict):
            _flatten_into(out, item, path, depth + 1)
        else:
            out[path] = _json_text(item) if isinstance(item, list) else item


def _common(record: dict[str, Any], where: tuple[str, int]) -> dict[str, Any]:
    row = {column: None for column in COMMON}
    for key, column in _PAYLOAD_KEYS.items():
        row[column] = record.get(key)
    for column in INSTANTS[1:]:
        try:
            row[column] = _instant(row[column])
        except (ValueError, TypeError, OverflowError):
            raise ValueError(f"unreadable {column} {row[column]!r}"[:300]) from None
    try:
        row["timestamp"] = _instant(record.get("timestamp"))
    except (ValueError, TypeError, OverflowError):
        raise ValueError(f"unreadable timestamp {record.get('timestamp')!r}") from None
    row["timestamp"] = row["timestamp"] or row["original_timestamp"] or row["received_at"]
    if row["timestamp"] is None:
        raise ValueError("no timestamp, originalTimestamp or receivedAt")
    for text in ("message_id", "anonymous_id", "user_id"):
        row[text] = None if row[text] is None else str(row[text])
    row["raw_object"], row["raw_offset"] = where
    return row


def _reject_reason(record: dict[str, Any]) -> str | None:
    kind = record.get("type")
    if not isinstance(kind, str) or kind not in CALLS:
        return f"type {kind!r} is not a Segment call" if kind else "no type"
    if kind == "track" and not isinstance(record.get("event"), str):
        return "track without event" if record.get("event") is None else "event is not text"
    return None


def split_calls(
    records: Iterable[dict[str, Any]], offsets: Iterable[int], raw_object: str, names: NameRegistry
) -> Split:
    """Rows per table of one object's records (names assigned in sorted order: stable)."""
    records, offsets = list(records), list(offsets)
    events = {
        r["event"] for r in records if r.get("type") == "track" and isinstance(r.get("event"), str)
    }
    for event in sorted({normalise_name(e) for e in events}):
        names.table_for(event)
    split = Split()
    for index, (record, offset) in enumerate(zip(records, offsets, strict=True)):
        reason = _reject_reason(record)
        try:
            if not reason:
                _add_rows(split, record, _common(record, (raw_object, offset)), names)
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            reason = str(exc)[:300] or type(exc).__name__
        if reason:
            split.rejected.append((index, reason))
    return split


def _add_rows(
    split: Split, record: dict[str, Any], row: dict[str, Any], names: NameRegistry
) -> None:
    """The record's row in its call's table (and, for a track, in ``tracks`` too). Everything
    that can refuse the record is done before a row is added anywhere."""
    context = flatten(record.get("context") or {}, CONTEXT)
    kind = record["type"]
    table, kept, spread = CALLS[kind]
    spread_values = flatten(record.get(spread) or {}, spread) if spread else {}
    for key, column in kept.items():
        row[column] = None if record.get(key) is None else str(record.get(key))
    rows = []
    if kind == "track":
        row["event_table"] = names.table_for(record["event"])
        rows.append(("tracks", _named(names, "tracks", row, context)))
        table = row["event_table"]
    if table == OVERFLOW_TABLE:  # beyond the limit of event tables: properties as JSON text
        row = {**row, "properties": _json_text(record.get(spread) or {})}
        spread_values = {}
    rows.append((table, _named(names, table, row, context | spread_values)))
    for name, named in rows:
        split.rows[name].append(named)


def _named(
    names: NameRegistry, table: str, fixed: dict[str, Any], values: dict[Path, Any]
) -> dict[str, Any]:
    """The fixed columns and each path's value under its column in ``table``. Two paths of one
    record can only share a column when they are one name after normalisation (``plan`` and
    ``plan\u200b``): the record is refused rather than one value lost."""
    row, seen = dict(fixed), names.seen_columns(table)
    for path, value in values.items():
        column = seen.get(path) or names.column_for(table, path, fixed.keys())
        if column in row:
            raise ValueError(f"{path_key(path)!r} is another key's name after normalisation")
        row[column] = value
    return row


def _as_text(value: Any) -> str | None:
    """A value as JSON text (strings as they are; integers of any size)."""
    if value is None or isinstance(value, str):
        return value
    if type(value) is int:
        return str(value)
    return orjson.dumps(value).decode()


# The kinds of values a column holds -> its Arrow type (integers with floats are floats).
_ARROW_TYPES = {
    frozenset(): pa.string(),
    frozenset({bool}): pa.bool_(),
    frozenset({int}): pa.int64(),
    frozenset({float}): pa.float64(),
    frozenset({int, float}): pa.float64(),
    frozenset({str}): pa.string(),
}
_INSTANT_TYPE = pa.timestamp("us", tz="UTC")


def _typed_array(name: str, values: list[Any]) -> tuple[pa.Array, bool]:
    """(the column as one Arrow type, whether it became text because its kinds differ)."""
    if name in INSTANTS:
        return pa.array(values, type=_INSTANT_TYPE), False
    kinds = set(map(type, values))
    kinds.discard(NoneType)
    arrow_type = _ARROW_TYPES.get(frozenset(kinds))
    if arrow_type is not None:
        try:
            return pa.array(values, type=arrow_type), False
        except (OverflowError, pa.ArrowInvalid):  # an integer beyond 64 bits
            pass
    return pa.array([_as_text(v) for v in values], type=pa.string()), True


def typed_table(rows: TableRows) -> tuple[pa.Table, list[str]]:
    """The rows as an Arrow table with one type per column, and the columns that became text
    because their values had different kinds."""
    arrays, drifted = {}, []
    for name, values in rows.columns().items():
        arrays[name], made_text = _typed_array(name, values)
        if made_text:
            drifted.append(name)
    return pa.table(arrays), drifted
