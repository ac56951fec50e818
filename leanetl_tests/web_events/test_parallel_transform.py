"""A day transformed by worker processes writes what one process writes, byte for byte: every
Parquet file, dead letter, the names and the manifest; also when objects in flight at once
claim the same names (they are transformed again in the day's process)."""

import datetime as dt
import json

import pytest

from leanetl.lib.web_events.lake import NAMES, manifest_key
from leanetl.lib.web_events.parallel import Cores
from leanetl.lib.web_events.transform_day import transform_day
from leanetl.sample.web_events import day_objects
from leanetl_tests.web_events.test_transform_day import Listed, MemoryObjects

DAY = dt.date(2026, 3, 2)
LIMITS = (50, 10_000_000)
EVERY_DAY = Cores(workers=2, min_bytes=0)


def _track(event: str, properties: dict, n: int) -> str:
    at = f"{DAY}T23:0{n}:00Z"
    return json.dumps({"type": "track", "event": event, "messageId": f"c{n}", "userId": "u9",
                       "timestamp": at, "receivedAt": at, "properties": properties})  # fmt: skip


def _raw() -> tuple[MemoryObjects, list[Listed]]:
    """The sample's six objects of the day (one corrupt), then two objects sent to the workers
    together whose event and property names are different originals of the same names."""
    raw = MemoryObjects()
    raw.objects.update(day_objects(DAY, newest=True))
    late = f"{DAY:%Y/%m/%d}/23/web-1-{DAY}-23-"
    raw.objects[late + "00-00-a"] = _track("Post Shared", {"Share Kind": "link"}, 1).encode()
    raw.objects[late + "30-00-b"] = "\n".join(
        [_track("post_shared", {"share_kind": "copy"}, 2), _track("Post Shared", {"share kind": 1}, 3)]
    ).encode()  # fmt: skip
    listed = [
        Listed(k, f"etag-{n}", len(v)) for n, (k, v) in enumerate(sorted(raw.objects.items()))
    ]
    return raw, listed


def _written(lake: MemoryObjects) -> dict[str, object]:
    """Every object the lake holds; the manifest without its write times."""
    out: dict[str, object] = dict(lake.objects)
    manifest = json.loads(lake.objects[manifest_key(str(DAY))])
    for entry in manifest["objects"].values():
        entry.pop("at")
    out[manifest_key(str(DAY))] = manifest
    return out


@pytest.mark.slow  # starts two Python worker processes
def test_workers_write_what_one_process_writes_even_when_names_are_claimed_in_flight() -> None:
    raw, listed = _raw()
    one, many = MemoryObjects(), MemoryObjects()
    alone = transform_day(raw, one, DAY, listed, False, LIMITS)
    spread = transform_day(raw, many, DAY, listed, False, LIMITS, EVERY_DAY)
    assert (alone.workers, spread.workers) == (1, 2)
    assert _written(many) == _written(one)
    names = json.loads(one.objects[NAMES])
    assert {"Post Shared", "post_shared"} <= set(names["tables"])  # two originals, two names
    assert len(set(names["tables"].values())) == len(names["tables"])
    # The object that met names claimed by the one before it was transformed again, alone.
    assert (alone.redone, spread.redone) == (0, 1)
    for a, b in zip(alone.results, spread.results, strict=True):
        assert (a.key, a.records, a.drifted) == (b.key, b.records, b.drifted)
        assert a.dead_letters.equals(b.dead_letters)
        assert a.tables.keys() == b.tables.keys()
        assert all(a.tables[t].equals(b.tables[t]) for t in a.tables)
    assert spread.names.renamed == alone.names.renamed


def test_a_small_day_or_one_object_stays_in_the_runs_process() -> None:
    small = [Listed("a", "e", 10), Listed("b", "e", 10)]
    assert Cores(workers=2, min_bytes=100).for_day(small) == 1
    assert Cores(workers=2, min_bytes=20).for_day(small) == 2
    assert Cores(workers=8, min_bytes=0).for_day(small) == 2  # never more than the objects
    assert Cores(workers=2, min_bytes=0).for_day(small[:1]) == 1
    assert Cores(workers=0, min_bytes=0).for_day(small * 64) >= 1  # one per core
