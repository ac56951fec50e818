"""The export's system columns as the ``users`` table, and which export a pull day reads.

- ``name``: first and last name joined by a space (either may be missing).
- ``signed_up``, ``last_seen``: UTC instants. Accepted: ISO 8601 (with an offset, converted; without
  one, taken as UTC), or epoch milliseconds (13 digits, Chatfuel's datetime attributes) or seconds
  (10 digits). Anything else is null and counted (``unreadable_times``).
- ``status``: ``reachable`` (also ``subscribed``, ``active``) or ``blocked`` (also
  ``unsubscribed``, ``unreachable``), compared case-insensitively; any other value is kept in
  lower case and counted (``other_statuses``).
"""

import datetime as dt
import re
from collections.abc import Sequence

import pandas as pd
import pyarrow as pa

from leanetl.lib.text import normalise_name, normalised

REACHABLE = frozenset({"reachable", "subscribed", "active"})
BLOCKED = frozenset({"blocked", "unsubscribed", "unreachable"})
_EPOCH = re.compile(r"^\d{10}(\d{3})?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# A time of day followed by its UTC offset (a date alone has none).
_OFFSET = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.I)
_DATED = re.compile(r"^users_export.*?(\d{4}-\d{2}-\d{2})", re.IGNORECASE)


def instants(values: pd.Series) -> tuple[pd.Series, int]:
    """Export times as UTC instants (vectorised; missing stays missing), and how many non-empty
    values were unreadable (those become missing too). Words such as ``now`` or ``today`` are
    unreadable (never the run's clock); so is an epoch or a date outside 1677-2262 (pandas')."""
    text = normalised(values)
    epoch = text.str.match(_EPOCH).fillna(False).astype(bool)
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]")
    for digits, unit in ((13, "ms"), (10, "s")):
        mask = epoch & (text.str.len() == digits)
        if mask.any():
            numbers = text[mask].astype("int64")
            parsed = pd.to_datetime(numbers, unit=unit, utc=True, errors="coerce")
            result[mask] = parsed.astype(result.dtype)
    iso = text.str.match(_ISO_DATE).fillna(False).astype(bool) & ~epoch
    offset = iso & text.str.contains(_OFFSET).fillna(False).astype(bool)
    # With and without an offset parsed apart: pandas would give a naive time the offset of
    # the one before it. Without an offset a time is UTC (utc=True), as documented above.
    for mask in (offset, iso & ~offset):
        if mask.any():
            parsed = pd.to_datetime(text[mask], format="ISO8601", utc=True, errors="coerce")
            result[mask] = parsed.astype(result.dtype)
    return result, int((text.notna() & result.isna()).sum())


def instant(text: str | None) -> pd.Timestamp | None:
    """One export time as a UTC instant (None when missing); ValueError when unreadable."""
    parsed, unreadable = instants(pd.Series([text], dtype="object"))
    if unreadable:
        raise ValueError(f"unreadable time {text!r}")
    return None if pd.isna(parsed.iloc[0]) else parsed.iloc[0]


def _status(value: str | None) -> str | None:
    if value is None or not normalise_name(value):
        return None
    key = normalise_name(value).casefold()
    return "reachable" if key in REACHABLE else "blocked" if key in BLOCKED else key


def users_frame(
    system: pa.Table, platform: str | None = None
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The users table from the export's system columns, and counts of what was not readable.

    ``platform`` (lower case, trimmed) is the export's, else ``platform`` when given.
    """
    raw = system.to_pandas()
    platforms = raw["platform"].str.strip().str.lower().replace("", None)
    signed_up, bad_signed_up = instants(raw["signed_up"])
    last_seen, bad_last_seen = instants(raw["last_seen"])
    names = (raw["first_name"].fillna("") + " " + raw["last_name"].fillna("")).str.strip()
    status = raw["status"].map(_status)
    frame = pd.DataFrame(
        {
            "user_id": raw["user_id"].astype("string"),
            "first_name": raw["first_name"].astype("string"),
            "last_name": raw["last_name"].astype("string"),
            "name": names.mask(names == "").astype("string"),
            "signed_up": signed_up,
            "last_seen": last_seen,
            "status": status.astype("string"),
            "platform": platforms.fillna(platform).astype("string")
            if platform
            else platforms.astype("string"),
        }
    )
    counts = {
        "unreadable_times": bad_signed_up + bad_last_seen,
        "other_statuses": int((status.notna() & ~status.isin(["reachable", "blocked"])).sum()),
    }
    return frame, counts


def export_for_day(keys_by_age: Sequence[str], day: dt.date) -> str | None:
    """The export a pull day reads, from ``users_export*.csv`` keys oldest → newest (by
    modification time): of those whose name carries a date (``users_export-2025-03-14.csv``)
    not after ``day``, the one with the latest date, and of two with that date the one modified
    last (``users_export-2025-03-14-fixed.csv`` dropped after the first); with none, the undated
    one modified last; else ``None``."""
    dated = [
        (m.group(1), age, key) for age, key in enumerate(keys_by_age) if (m := _DATED.match(key))
    ]
    usable = [(date, age, key) for date, age, key in dated if date <= day.isoformat()]
    if usable:
        return max(usable)[2]
    undated = [key for key in keys_by_age if not _DATED.match(key)]
    return undated[-1] if undated else None
