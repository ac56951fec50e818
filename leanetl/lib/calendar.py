"""Partition-day arithmetic shared by the pipelines (pure, timezone-aware)."""

import datetime as dt
from zoneinfo import ZoneInfo


def day_end_utc(day: dt.date, timezone: str) -> dt.datetime:
    """The UTC instant (naive) at which local ``day`` ends, i.e. the next local midnight."""
    local_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), ZoneInfo(timezone))
    return local_midnight.astimezone(dt.UTC).replace(tzinfo=None)


def week_start_saturday(day: dt.date) -> dt.date:
    """The Saturday on or before ``day`` (weeks run Saturday to Friday)."""
    return day - dt.timedelta(days=(day.weekday() - 5) % 7)
