"""The day's transform loop (lib/web_events/transform_day.py) against an in-memory object store:
no Dagster, no lake; what it writes, what a re-run and a reprocess leave behind."""

import datetime as dt
import json
from dataclasses import dataclass

from leanetl.lib.parquet import read_parquet_bytes
from leanetl.lib.web_events.lake import NAMES, errors_key, manifest_key
from leanetl.lib.web_events.objects import object_id
from leanetl.lib.web_events.transform_day import transform_day

DAY = dt.date(2026, 3, 2)
LIMITS = (50, 10_000_000)


class MemoryObjects:
    """The ``lib.stores.Objects`` protocol over a dict."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.writes = 0

    def get_bytes(self, key: str) -> bytes:
        return self.objects[key]

    def put_bytes(self, key: str, data: bytes, content_type: str = "") -> str:
        self.objects[key], self.writes = data, self.writes + 1
        return self.uri(key)

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def exists(self, key: str) -> bool:
        return key in self.objects

    def list_keys(self, prefix: str) -> list[str]:
        return sorted(k for k in self.objects if k.startswith(prefix))

    def uri(self, key: str) -> str:
        return f"memory://{key}"


@dataclass(frozen=True)
class Listed:
    key: str
    etag: str
    size: int


def _object(*lines: dict | str) -> bytes:
    return "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines).encode()


def _track(n: int) -> dict:
    at = f"{DAY}T09:0{n}:00Z"
    return {"type": "track", "event": "Signed Up", "messageId": f"m{n}", "userId": "u1",
            "timestamp": at, "receivedAt": at, "properties": {"plan": "free"}}  # fmt: skip


def _raw() -> tuple[MemoryObjects, list[Listed]]:
    raw = MemoryObjects()
    keys = [
        f"{DAY:%Y/%m/%d}/09/web-1-{DAY}-09-00-00-a",
        f"{DAY:%Y/%m/%d}/10/web-1-{DAY}-10-00-00-b",
    ]
    raw.objects[keys[0]] = _object(_track(1), _track(2))
    raw.objects[keys[1]] = _object(_track(3), "not json")
    return raw, [Listed(k, f"etag-{k[-1]}", len(raw.objects[k])) for k in keys]


def test_each_object_is_written_and_recorded_then_left_alone() -> None:
    raw, listed = _raw()
    lake = MemoryObjects()
    done = transform_day(raw, lake, DAY, listed, False, LIMITS)
    assert [r.records for r in done.results] == [2, 2]
    tables = [k for k in lake.objects if k.startswith("transformed/")]
    assert sorted({k.split("/")[1] for k in tables}) == ["signed_up", "tracks"]
    tracks = [read_parquet_bytes(lake.objects[k]) for k in tables if "/tracks/" in k]
    assert sorted(m for t in tracks for m in t["message_id"]) == ["m1", "m2", "m3"]
    letters = lake.objects[errors_key(str(DAY), object_id(listed[1].key))].decode().splitlines()
    assert len(letters) == 1  # the line that is not JSON
    manifest = json.loads(lake.objects[manifest_key(str(DAY))])
    assert set(manifest["objects"]) == {item.key for item in listed}
    assert NAMES in lake.objects
    # A second run finds nothing pending and writes nothing.
    writes = lake.writes
    assert transform_day(raw, lake, DAY, listed, False, LIMITS).results == []
    assert lake.writes == writes


def test_reprocessing_replaces_every_output_in_place() -> None:
    raw, listed = _raw()
    lake = MemoryObjects()
    transform_day(raw, lake, DAY, listed, False, LIMITS)
    before = dict(lake.objects)
    again = transform_day(raw, lake, DAY, listed, True, LIMITS)
    assert len(again.results) == 2
    assert set(lake.objects) == set(before)  # the same files, none added
    outputs = [k for k in before if k.startswith(("transformed/", "errors/"))]
    assert all(lake.objects[k] == before[k] for k in outputs)
