"""What a day's runs already transformed: one manifest per arrival day.

``objects``: raw key → ``{"etag", "size", "output_id", "rows": {table: n}, "dead_letters",
"records", "at"}`` (``output_id``: the name of the object's output files).
An object is transformed again only when it is not in the manifest or its ETag or size changed
(Firehose never rewrites an object; a person replacing one by hand does), or when the whole day is
reprocessed. Written after the object's outputs, so a run that dies in between redoes that object,
whose outputs have fixed names and are replaced, never duplicated.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol


class Listed(Protocol):
    key: str
    etag: str
    size: int


@dataclass
class DayManifest:
    day: dt.date
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)

    def pending(self, listed: Iterable[Listed], reprocess: bool = False) -> list[Listed]:
        """The listed objects to transform: new or changed ones (every one when reprocessing)."""
        out = []
        for item in listed:
            known = self.objects.get(item.key)
            if (
                reprocess
                or known is None
                or (known["etag"], known["size"]) != (item.etag, item.size)
            ):
                out.append(item)
        return out

    def record(
        self, item: Listed, rows: dict[str, int], dead_letters: int, records: int, output_id: str
    ) -> None:
        self.objects[item.key] = {
            "etag": item.etag,
            "size": item.size,
            "output_id": output_id,
            "rows": rows,
            "dead_letters": dead_letters,
            "records": records,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }

    def totals(self) -> dict[str, int]:
        """Rows per table over every object of the day (before deduplication)."""
        out: dict[str, int] = {}
        for entry in self.objects.values():
            for table, n in entry["rows"].items():
                out[table] = out.get(table, 0) + n
        return dict(sorted(out.items()))

    def to_json(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "objects": self.objects}

    @classmethod
    def from_json(cls, day: dt.date, data: dict[str, Any] | None) -> "DayManifest":
        return cls(day, dict((data or {}).get("objects", {})))
