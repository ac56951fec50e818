"""The new-objects sensor's durable cursor: which raw objects have been seen.

The cursor is the newest last-modified instant seen and the keys seen at exactly that instant,
so two objects landing in the same second are both taken, in whichever tick each is listed, and
none is taken twice. An object that lands late under an earlier hour (or day) prefix has a new
last-modified time and is taken when its prefix is listed: the sensor lists the day prefixes from
``lookback_days`` before the newest seen up to today.
"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from leanetl.lib.web_events.objects import arrival_day, day_prefix


class Listed(Protocol):
    key: str
    modified: dt.datetime


@dataclass
class Cursor:
    newest: dt.datetime | None = None
    keys_at_newest: set[str] = field(default_factory=set)

    def to_text(self) -> str:
        return json.dumps(
            {
                "newest": self.newest.isoformat() if self.newest else None,
                "keys_at_newest": sorted(self.keys_at_newest),
            }
        )

    @classmethod
    def from_text(cls, text: str | None) -> "Cursor":
        if not text:
            return cls()
        data = json.loads(text)
        newest = dt.datetime.fromisoformat(data["newest"]) if data.get("newest") else None
        return cls(newest, set(data.get("keys_at_newest", [])))

    def is_new(self, item: Listed) -> bool:
        if self.newest is None or item.modified > self.newest:
            return True
        return item.modified == self.newest and item.key not in self.keys_at_newest


def take_new(cursor: Cursor, listed: Iterable[Listed]) -> tuple[list[Listed], Cursor]:
    """The listed objects not seen yet, and the cursor that has seen them too."""
    new = [item for item in listed if cursor.is_new(item)]
    if not new:
        return [], cursor
    newest = max(item.modified for item in new)
    keys = {item.key for item in new if item.modified == newest}
    if newest == cursor.newest:
        keys |= cursor.keys_at_newest
    return new, Cursor(newest, keys)


def days_to_list(
    cursor: Cursor, today: dt.date, lookback_days: int, first: dt.date
) -> list[dt.date]:
    """Arrival days whose prefixes a tick lists: from ``lookback_days`` before the newest seen
    (``first`` on the first tick) to ``today``."""
    start = (
        first if cursor.newest is None else cursor.newest.date() - dt.timedelta(days=lookback_days)
    )
    start = max(start, first)
    return [start + dt.timedelta(days=n) for n in range((today - start).days + 1)]


def keys_by_day(new: Iterable[Listed]) -> dict[dt.date, list[str]]:
    """New keys grouped by arrival day (keys without a YYYY/MM/DD/ prefix are left out)."""
    out: dict[dt.date, list[str]] = defaultdict(list)
    for item in new:
        day = arrival_day(item.key)
        if day is not None:
            out[day].append(item.key)
    return {day: sorted(keys) for day, keys in sorted(out.items())}


class Lister(Protocol):
    """A raw store that lists its objects (``io_managers.object_store.ObjectStore``)."""

    def list_objects(self, prefix: str) -> Sequence[Listed]: ...


def list_days(raw: Lister, days: Iterable[dt.date]) -> list[Listed]:
    """Every raw object under the days' prefixes (``YYYY/MM/DD/``), day by day."""
    return [found for day in days for found in raw.list_objects(day_prefix(day))]
