"""One raw Firehose object → rows per table and dead letters; where objects and outputs live.

Keys are ``YYYY/MM/DD/HH/<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>`` (UTC, arrival). The
arrival day of an object is its key's ``YYYY/MM/DD``: an object that lands late under an earlier
prefix belongs to that earlier day. Outputs of an object are named by its object id (the key's last
segment, or a hash of the key when that is not a safe name), so writing them again replaces them.
"""

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field, replace

import orjson
import pandas as pd
import pyarrow as pa

from leanetl.lib.keys import UnsafeKeyError, key_segment
from leanetl.lib.quarantine import combine, quarantine_frame
from leanetl.lib.web_events.naming import NameRegistry
from leanetl.lib.web_events.records import MAX_OBJECT_BYTES, parse_object
from leanetl.lib.web_events.tables import split_calls, typed_table

_DAY_PREFIX = re.compile(r"^(\d{4})/(\d{2})/(\d{2})/")


def arrival_day(key: str) -> dt.date | None:
    """The UTC day of a Firehose key's ``YYYY/MM/DD/`` prefix (None for any other key)."""
    found = _DAY_PREFIX.match(key)
    if not found:
        return None
    try:
        return dt.date(*map(int, found.groups()))
    except ValueError:
        return None


def day_prefix(day: dt.date) -> str:
    return f"{day:%Y/%m/%d}/"


def object_id(key: str) -> str:
    """A file name for an object's outputs, one per key: its last key segment (if safe) and a
    hash of the whole key, so ``…/01/part-a`` and ``…/02/part-a`` never share an output."""
    digest = hashlib.sha256(key.encode()).hexdigest()
    try:
        return (
            key_segment(key.rsplit("/", 1)[-1][:100], "a web events object id") + "-" + digest[:16]
        )
    except UnsafeKeyError:
        return "object-" + digest[:32]


def legacy_object_id(key: str) -> str:
    """The output name leanetl gave an object before ``object_id`` (its manifests have no
    ``output_id``): its outputs are removed when the object is transformed again."""
    try:
        return key_segment(key.rsplit("/", 1)[-1], "a web events object id")
    except UnsafeKeyError:
        return "object-" + hashlib.sha256(key.encode()).hexdigest()[:32]


@dataclass
class ObjectResult:
    key: str
    tables: dict[str, pa.Table] = field(default_factory=dict)
    dead_letters: pd.DataFrame = field(default_factory=lambda: combine([]))
    records: int = 0  # records found (rows + dead-lettered records)
    drifted: dict[str, list[str]] = field(default_factory=dict)  # table -> columns made text
    whole_object_error: str | None = None
    encoded: dict[str, bytes] = field(default_factory=dict)  # table -> Parquet, when made already

    def rows(self, table: str) -> int:
        found = self.tables.get(table)
        return 0 if found is None else found.num_rows

    def written(self) -> "ObjectResult":
        """What the day's metadata and checks need once the outputs are written: each table's
        ``timestamp`` column only (a day's results are kept until its end)."""
        tables = {t: rows.select(["timestamp"]) for t, rows in self.tables.items()}
        return replace(self, tables=tables, encoded={})


def whole_object_dead_letter(key: str, reason: str) -> ObjectResult:
    """An object none of whose records can be used (corrupt, not UTF-8, an unsafe key)."""
    return ObjectResult(
        key,
        dead_letters=quarantine_frame(key, ["whole object"], [reason], [""]),
        records=1,
        whole_object_error=reason,
    )


def _shown(record: dict) -> str:
    """A refused record as JSON text for its dead letter (at most 2,000 characters)."""
    try:
        return orjson.dumps(record).decode()[:2000]
    except orjson.JSONEncodeError:
        return "(nested too deep to show)"


def transform_object(
    key: str, data: bytes, names: NameRegistry, max_bytes: int = MAX_OBJECT_BYTES
) -> ObjectResult:
    """Parse, split and type one object; bad records (and an unreadable object) dead-lettered in
    the one quarantine schema: source = key, locator ``byte <offset>`` or ``whole object``."""
    parsed = parse_object(data, max_bytes)
    if parsed.whole_object_error:
        return whole_object_dead_letter(key, parsed.whole_object_error)
    result = ObjectResult(key)
    split = split_calls(parsed.records, parsed.offsets, key, names)
    rejected = [
        (f"byte {parsed.offsets[i]}", reason, _shown(parsed.records[i]))
        for i, reason in split.rejected
    ]
    unparsed = [(f"byte {d.offset}", d.reason, d.raw) for d in parsed.dead_letters]
    letters = sorted(unparsed + rejected, key=lambda d: int(d[0].split()[1]))
    result.dead_letters = quarantine_frame(
        key, [d[0] for d in letters], [d[1] for d in letters], [d[2] for d in letters]
    )
    result.records = len(parsed.records) + len(parsed.dead_letters)
    for table, rows in split.rows.items():
        result.tables[table], drifted = typed_table(rows)
        if drifted:
            result.drifted[table] = drifted
    return result
