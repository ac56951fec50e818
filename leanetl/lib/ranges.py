"""Frames of several partition days: each row's day in the ``dt`` column."""

from typing import Any

import pandas as pd

PARTITION_COLUMN = "dt"
# Set in a frame's attrs when leanetl added ``dt`` to put several days in one frame (a one-day
# frame of the same asset has none): each day's slice is handed over, or stored, without it.
ADDED_DAY_COLUMN = "leanetl_added_dt"


def day_slice(value: Any, day: str) -> Any:
    """A frame of several days cut to ``day`` (``YYYY-MM-DD``); anything else as it is."""
    if not isinstance(value, pd.DataFrame) or PARTITION_COLUMN not in value.columns:
        return value
    part = value[value[PARTITION_COLUMN].astype(str).str[:10] == day]
    if value.attrs.get(ADDED_DAY_COLUMN):
        part = part.drop(columns=[PARTITION_COLUMN])
    return part.reset_index(drop=True)


def concat_days(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Days' frames as one (each already with its ``dt``); days without rows add none."""
    with_rows = [f for f in frames if len(f)] or frames[:1]
    frame = pd.concat(with_rows, ignore_index=True) if len(with_rows) > 1 else with_rows[0]
    return frame.reset_index(drop=True)
