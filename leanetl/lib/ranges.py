"""Frames of several partition days: each row's day in the ``dt`` column."""

from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

PARTITION_COLUMN = "dt"
# Set in a frame's attrs when leanetl added ``dt`` to put several days in one frame (a one-day
# frame of the same asset has none): each day's slice is handed over, or stored, without it.
ADDED_DAY_COLUMN = "leanetl_added_dt"


def day_slice(value: Any, day: str) -> Any:
    """A frame (or Arrow table) of several days cut to ``day`` (``YYYY-MM-DD``); anything else
    as it is."""
    if isinstance(value, pa.Table):
        return _table_day(value, day)
    if not isinstance(value, pd.DataFrame) or PARTITION_COLUMN not in value.columns:
        return value
    part = value[value[PARTITION_COLUMN].astype(str).str[:10] == day]
    if value.attrs.get(ADDED_DAY_COLUMN):
        part = part.drop(columns=[PARTITION_COLUMN])
    return part.reset_index(drop=True)


def concat_days(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Days' frames as one (each already with its ``dt``); days without rows add none. A column
    with no value on some days takes the type it has on the others."""
    with_rows = [f for f in frames if len(f)] or frames[:1]
    if len(with_rows) == 1:
        return with_rows[0].reset_index(drop=True)
    types: dict[str, Any] = {}
    for frame in with_rows:
        for column in frame.columns:
            if column not in types and frame[column].notna().any():
                types[column] = frame[column].dtype
    return pd.concat([_typed_like(f, types) for f in with_rows], ignore_index=True)


def _typed_like(frame: pd.DataFrame, types: dict[str, Any]) -> pd.DataFrame:
    for column in frame.columns:
        wanted = types.get(column)
        if wanted is not None and frame[column].dtype != wanted and frame[column].isna().all():
            try:
                frame = frame.astype({column: wanted})
            except (TypeError, ValueError):
                continue  # e.g. no missing value in an int64 column: pandas decides
    return frame


def table_days(tables: list[pa.Table], days: list[str]) -> pa.Table:
    """Days' Arrow tables as one, each row with its day in ``dt`` (marked as added, as
    ``ADDED_DAY_COLUMN`` marks a frame's)."""
    dated = [
        t.append_column(PARTITION_COLUMN, pa.array([day] * t.num_rows, pa.string()))
        for t, day in zip(tables, days, strict=True)
    ]
    table = pa.concat_tables(dated, promote_options="permissive")
    return table.replace_schema_metadata({**(table.schema.metadata or {}), _ADDED: b"true"})


_ADDED = ADDED_DAY_COLUMN.encode()


def _table_day(table: pa.Table, day: str) -> pa.Table:
    if PARTITION_COLUMN not in table.column_names:
        return table
    days = pc.utf8_slice_codeunits(table.column(PARTITION_COLUMN).cast(pa.string()), 0, 10)
    part = table.filter(pc.equal(days, day))
    if (table.schema.metadata or {}).get(_ADDED):
        part = part.drop_columns([PARTITION_COLUMN])
    return part
