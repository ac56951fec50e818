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


KILLED_WRITER = """
import os, sys, time
from leanetl.io_managers.object_store import ObjectStore

def stall(src, dst):  # the write is done, the rename never comes: the process is killed here
    print("written", flush=True)
    time.sleep(600)

os.replace = stall
ObjectStore(url=sys.argv[1]).put_bytes("answers/dt=2025-03-14/data.parquet", b"x" * 1_000_000)
"""


def test_a_killed_writers_temp_file_is_removed_by_the_next_write(tmp_path) -> None:
    import signal
    import subprocess
    import sys

    lake = tmp_path / "lake"
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(lake)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "written"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
    folder = lake / "answers" / "dt=2025-03-14"
    [orphan] = list(folder.glob(".tmp-*"))
    assert orphan.name.startswith(f".tmp-{writer.pid}-") and orphan.stat().st_size == 1_000_000
    live = folder / f".tmp-{os.getpid()}-inflight.parquet"  # a live writer's file stays
    live.write_bytes(b"y")
    store = ObjectStore(url=str(lake))
    assert list(store.list_keys("answers")) == []  # temp files are never listed
    store.put_bytes("answers/dt=2025-03-14/data.parquet", b"z")
    assert sorted(p.name for p in folder.iterdir()) == [live.name, "data.parquet"]
    assert (folder / "data.parquet").read_bytes() == b"z"
