"""Listing with modification times: how a source folder's newest export is found."""

import datetime as dt
import os

from leanetl.io_managers.object_store import ObjectStore


def test_list_objects_on_every_store(lake: ObjectStore) -> None:
    before = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    lake.put_bytes("sources/leads/leads_1.csv", b"a,b\n")
    lake.put_bytes("sources/leads/leads_2.json", b"[]")
    lake.put_bytes("sources/other/x.csv", b"x")
    found = lake.list_objects("sources/leads/")
    assert sorted((o.key, o.size) for o in found) == [
        ("sources/leads/leads_1.csv", 4),
        ("sources/leads/leads_2.json", 2),
    ]
    assert all(o.modified.tzinfo is not None and o.modified > before for o in found)


def test_list_objects_oldest_first(tmp_path) -> None:
    lake = ObjectStore(url=str(tmp_path))
    lake.put_bytes("leads_b.csv", b"old")
    lake.put_bytes("leads_a.csv", b"new")
    os.utime(tmp_path / "leads_b.csv", (1_600_000_000, 1_600_000_000))
    assert [o.key for o in lake.list_objects("leads")] == ["leads_b.csv", "leads_a.csv"]
