"""The web events corpus and steps for ``make bench``: ~200 MB of Firehose objects (~410K
Segment calls of the sample's social app, 2 MB objects, half back to back, half newline)."""

import datetime as dt
import random
import sys
from pathlib import Path

from leanetl.sample.web_events import calls_before, encode

TARGET_BYTES = 200_000_000
RECORDS_PER_OBJECT = 4000


def write_corpus(folder: Path, target: int = TARGET_BYTES) -> tuple[int, int, int]:
    """(objects, bytes, records) written under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(1)
    day = dt.date(2025, 3, 14)
    size = records = n = 0
    while size < target:
        calls: list[dict] = []
        while len(calls) < RECORDS_PER_OBJECT:
            calls += list(calls_before(day, 10, rng))
        data = encode(calls, "newline" if n % 2 else "concatenated", rng)
        (folder / f"obj-{n:04d}").write_bytes(data)
        size, records, n = size + len(data), records + len(calls), n + 1
    return n, size, records


TRANSFORM = """
from pathlib import Path
from leanetl.lib.parquet import table_to_parquet_bytes
from leanetl.lib.web_events.naming import NameRegistry
from leanetl.lib.web_events.objects import transform_object
names, out = NameRegistry(), Path('{out}')
for path in sorted(Path('{corpus}').iterdir()):
    result = transform_object('2025/03/14/10/' + path.name, path.read_bytes(), names)
    for table, rows in result.tables.items():
        target = out / table / 'dt=2025-03-14' / (path.name + '.parquet')
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(table_to_parquet_bytes(rows))
"""

DUCKDB_ANCHOR = """
import duckdb
duckdb.sql("copy (select * from read_json('{corpus}/*', format='auto', union_by_name=true)) "
           "to '{out}.parquet' (format parquet)")
"""

if __name__ == "__main__":
    print(write_corpus(Path(sys.argv[1])))
