"""A day's contacts export → its attribute events (a Parquet file, written as the export is
read), its users and its quarantine."""

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from leanetl.lib.chatfuel.export import SYSTEM
from leanetl.lib.chatfuel.unpivot import EVENT_SCHEMA, Unpivoted, unpivot_export
from leanetl.lib.chatfuel.users import users_frame
from leanetl.lib.quarantine import empty_quarantine, quarantine_frame

DAY_COLUMN = "dt"  # the warehouse's partition column (io_managers.warehouse.PARTITION_COLUMN)
# The events as stored: the export's columns, then the pull day and the pull's time.
STORED_EVENTS = EVENT_SCHEMA.append(pa.field(DAY_COLUMN, pa.date32())).append(
    pa.field("pulled_at", pa.timestamp("us", tz="UTC"))
)


def unpivot_to_parquet(
    path: Path, source: str, events_path: Path, day: Any, pulled_at: Any
) -> Unpivoted:
    """Read the export at ``path``, writing its events to ``events_path`` batch by batch."""
    with pq.ParquetWriter(events_path, STORED_EVENTS, compression="zstd") as writer:

        def write(events: pa.Table) -> None:
            n = events.num_rows
            stamped = events.append_column(DAY_COLUMN, pa.array([day] * n, pa.date32()))
            writer.write_table(
                stamped.append_column(
                    "pulled_at", pa.array([pulled_at] * n, STORED_EVENTS[-1].type)
                )
            )

        with path.open("rb") as handle:
            return unpivot_export(handle, source, write)


def export_quarantine(result: Unpivoted, source: str) -> pd.DataFrame:
    """Quarantined rows, and one row per column that was not loaded (with its cell count)."""
    rows = list(result.quarantine)
    for column, why in result.layout.unloaded.items():
        cells = result.unloaded_cells.get(column, 0)
        rows.append(
            (
                f"header column {column + 1}",
                f"{why}: {cells} non-empty cells not loaded",
                result.layout.headers[column],
            )
        )
    if not rows:
        return empty_quarantine()
    return quarantine_frame(source, *map(list, zip(*rows, strict=True)))


def export_users(
    result: Unpivoted, platforms: tuple[str, ...]
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The users of the export; without a platform column, the one platform pulled (if one)."""
    platform = platforms[0] if len(platforms) == 1 else None
    if result.users:
        return users_frame(pa.concat_tables(result.users), platform)
    empty = pa.table({name: pa.array([], pa.string()) for name in SYSTEM})
    return users_frame(empty, platform)
