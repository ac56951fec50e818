"""The web events corpus and steps for ``make bench``: ~200 MB of Firehose objects (~410K
Segment calls of the sample's social app, 2 MB objects, half back to back, half newline)."""

import datetime as dt
import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from leanetl.sample.web_events import calls_before, encode

TARGET_BYTES = 200_000_000
DAY_FOLDER = "2025/03/14/10"  # Firehose's key prefix: arrival day and hour (UTC)
RECORDS_PER_OBJECT = 4000


def write_corpus(folder: Path, target: int = TARGET_BYTES) -> tuple[int, int, int]:
    """(objects, bytes, records) written under ``folder``."""
    (folder / DAY_FOLDER).mkdir(parents=True, exist_ok=True)
    rng = random.Random(1)
    day = dt.date(2025, 3, 14)
    size = records = n = 0
    while size < target:
        calls: list[dict] = []
        while len(calls) < RECORDS_PER_OBJECT:
            calls += list(calls_before(day, 10, rng))
        data = encode(calls, "newline" if n % 2 else "concatenated", rng)
        (folder / DAY_FOLDER / f"obj-{n:04d}").write_bytes(data)
        size, records, n = size + len(data), records + len(calls), n + 1
    return n, size, records


@dataclass(frozen=True)
class Listed:
    key: str
    etag: str
    size: int


class Folder:
    """``lib.stores.Objects`` on a local folder, without the lake's IO manager (whose import of
    the cloud clients would be most of a bench process's time; a run has them imported)."""

    def __init__(self, root: str) -> None:
        self.root = Path(root)

    def list_objects(self, prefix: str) -> list[Listed]:
        found = sorted(p for p in (self.root / prefix).rglob("*") if p.is_file())
        keys = [(p.relative_to(self.root).as_posix(), p.stat()) for p in found]
        return [Listed(k, f"{s.st_size}-{s.st_mtime_ns}", s.st_size) for k, s in keys]

    def get_bytes(self, key: str) -> bytes:
        return (self.root / key).read_bytes()

    def put_bytes(self, key: str, data: bytes, content_type: str = "") -> str:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return str(path)

    def delete(self, key: str) -> None:
        (self.root / key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return (self.root / key).exists()

    def list_keys(self, prefix: str) -> list[str]:
        return [item.key for item in self.list_objects(prefix)]

    def uri(self, key: str) -> str:
        return os.fspath(self.root / key)


# The day's transform as the asset runs it (transform_day: manifest, names, Parquet per object
# and table into a lake folder), with {workers} worker processes (0: one per core).
TRANSFORM = """
import datetime as dt
from bench.web_events import Folder
from leanetl.lib.web_events.parallel import Cores
from leanetl.lib.web_events.transform_day import transform_day
raw, lake = Folder('{corpus}'), Folder('{out}')
listed = raw.list_objects('2025/03/14/')
done = transform_day(raw, lake, dt.date(2025, 3, 14), listed, True, (500, 512 << 20),
                     Cores(workers={workers}, min_bytes=0))
assert len(done.results) == len(listed) and done.workers == ({workers} or done.workers)
"""

DUCKDB_ANCHOR = """
import duckdb
duckdb.sql("copy (select * from read_json('{corpus}/*/*/*/*/*', format='auto', union_by_name=true)) "
           "to '{out}.parquet' (format parquet)")
"""

# DuckDB splitting the same corpus as the transform does: the records read once, then one
# COPY per call type and one per track event (its properties as columns), in one batch.
DUCKDB_SPLIT = """
import duckdb
from pathlib import Path
out = Path('{out}-split')
out.mkdir(parents=True, exist_ok=True)
con = duckdb.connect()
con.sql("create table calls as select * from read_json('{corpus}/*/*/*/*/*', format='auto', "
        "union_by_name=true)")
types = [r[0] for r in con.sql("select distinct type from calls").fetchall()]
events = [r[0] for r in con.sql("select distinct event from calls where type = 'track'").fetchall()]
copies = [f"copy (select * from calls where type = '{{t}}') to '{{out}}/{{t}}.parquet'" for t in types]
copies += [
    f"copy (select * exclude (properties), unnest(properties) from calls where type = 'track' "
    f"and event = '{{e}}') to '{{out}}/event-{{n}}.parquet'"
    for n, e in enumerate(e.replace("'", "''") for e in events)
]
con.sql(";".join(copies))
"""

if __name__ == "__main__":
    print(write_corpus(Path(sys.argv[1])))
