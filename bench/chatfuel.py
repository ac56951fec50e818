"""The Chatfuel corpus and steps for ``make bench``: a 500K-user, 1,700-attribute contacts
export (~24 non-empty cells a row, ≈ 0.94 GB) unpivoted into attribute events."""

import random
import sys
from pathlib import Path

HEADERS = ["chatfuel user id", "first name", "last name", "signed up", "last seen", "status"]


def write_export(
    path: Path, users: int = 500_000, attributes: int = 1_700, per_row: int = 24
) -> int:
    """Bytes written: the export, deterministic."""
    rng = random.Random(1)
    names = [f"attr_{i:04d}" for i in range(attributes)]
    with path.open("w", newline="") as out:
        out.write(",".join(HEADERS + names) + "\n")
        for user in range(users):
            row = [""] * attributes
            for column in rng.sample(range(attributes), per_row):
                row[column] = f"v{rng.randrange(1000)}"
            system = (
                f"{user + 1},First{user},Last{user},2025-01-01T00:00:00Z,1741953600000,reachable,"
            )
            out.write(system + ",".join(row) + "\n")
    return path.stat().st_size


UNPIVOT = """
import pyarrow.parquet as pq
from leanetl.lib.chatfuel.unpivot import EVENT_SCHEMA, unpivot_export
with pq.ParquetWriter('{out}', EVENT_SCHEMA, compression='zstd') as writer, open('{export}', 'rb') as f:
    result = unpivot_export(f, 'users_export.csv', writer.write_table)
assert result.events == {events}, result.events
"""

DUCKDB_UNPIVOT = """
import duckdb
duckdb.sql(\"\"\"copy (unpivot (select * from read_csv('{export}', all_varchar=true, header=true))
  on columns(* exclude ("chatfuel user id", "first name", "last name", "signed up", "last seen",
  status)) into name attribute value value) to '{out}' (format parquet)\"\"\")
"""

if __name__ == "__main__":
    print(write_export(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 500_000))
