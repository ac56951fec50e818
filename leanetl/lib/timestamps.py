"""Timestamps in the forms operators really type, read in a given timezone, returned in UTC.

Accepted: ISO 8601 (``2022-11-15``, ``2022-11-15T09:30``, with or without seconds, fractions and an
offset or ``Z``), ``2022-11-15 00:00:00``, US ``11/15/2022``, ``11/15/2022 9:00 AM``,
``11/15/2022 13:05[:07]``, and Google Sheets serial numbers (days since 1899-12-30, e.g. 44880.375).
Values are normalised first (NFKC, invisible characters removed). Text without an offset is local time in ``timezone``: an ambiguous local time (the repeated hour
when clocks go back) is read as the first occurrence; a time that does not exist (the skipped hour)
is moved forward. Each form is parsed vectorised, once per form, so 10M values take seconds.
"""

import numpy as np
import pandas as pd
import pyarrow as pa

from leanetl.lib.text import TEXT, normalised, per_distinct

_ISO = r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?"
_OFFSET = r"(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_US_DATE = r"^\d{1,2}/\d{1,2}/\d{4}"
_SERIAL = r"^\d{4,6}(?:\.\d+)?$"
# 1950-01-01 .. 2099-12-31: other numbers are not dates someone meant.
_SERIAL_RANGE = (18264.0, 73050.0)
_SHEETS_EPOCH = np.datetime64("1899-12-30T00:00:00", "ns")

_US_FORMATS = (
    (r" \d{1,2}:\d{2} [AP]M$", "%m/%d/%Y %I:%M %p"),
    (r" \d{1,2}:\d{2}:\d{2} [AP]M$", "%m/%d/%Y %I:%M:%S %p"),
    (r" \d{1,2}:\d{2}$", "%m/%d/%Y %H:%M"),
    (r" \d{1,2}:\d{2}:\d{2}$", "%m/%d/%Y %H:%M:%S"),
    (r"$", "%m/%d/%Y"),
)


def _localise(naive: pd.Series, timezone: str) -> pd.Series:
    first_occurrence = np.ones(len(naive), dtype=bool)
    return (
        naive.dt.tz_localize(timezone, ambiguous=first_occurrence, nonexistent="shift_forward")
        .dt.tz_convert("UTC")
        .astype("datetime64[us, UTC]")
    )


def parse_operator_timestamps(values: pd.Series, timezone: str) -> pd.Series:
    """UTC timestamps (``datetime64[us, UTC]``); values in no accepted form become ``NaT``.

    Values are normalised like all text first (NFKC, so a no-break space is a space; invisible
    characters such as zero-width spaces removed).
    """
    return per_distinct(
        values.astype(TEXT), lambda distinct: _parse(normalised(distinct), timezone)
    )


def _parse(values: pd.Series, timezone: str) -> pd.Series:
    text = values.astype(TEXT).str.strip().str.upper().str.replace(r"\s+", " ", regex=True)
    text = text.str.replace(r"\s*A\.?M\.?$", " AM", regex=True)
    text = text.str.replace(r"\s*P\.?M\.?$", " PM", regex=True)
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]")

    iso = text.str.match(_ISO + r"$").fillna(False)
    iso_offset = text.str.match(_ISO + _OFFSET).fillna(False)
    us = text.str.match(_US_DATE).fillna(False)
    serial = text.str.match(_SERIAL).fillna(False)

    if iso_offset.any():
        parsed = pd.to_datetime(text[iso_offset], format="ISO8601", errors="coerce", utc=True)
        result[iso_offset] = parsed.astype("datetime64[us, UTC]")
    if iso.any():
        parsed = pd.to_datetime(text[iso], format="ISO8601", errors="coerce")
        result[iso] = _localise(parsed, timezone)
    for suffix, fmt in _US_FORMATS:
        mask = us & text.str.match(_US_DATE + suffix).fillna(False)
        if mask.any():
            parsed = pd.to_datetime(text[mask], format=fmt, errors="coerce")
            result[mask] = _localise(parsed, timezone)
    if serial.any():
        days = pd.to_numeric(text[serial], errors="coerce")
        days = days.where(days.between(*_SERIAL_RANGE))
        # Round to the millisecond: serials are binary fractions of a day.
        naive = pd.Series(
            _SHEETS_EPOCH
            + (days.fillna(0).to_numpy() * 86_400_000)
            .round()
            .astype("int64")
            .astype("timedelta64[ms]"),
            index=days.index,
        ).where(days.notna())
        result[serial] = _localise(naive, timezone)
    return result


def local_dates(instants: pd.Series, timezone: str) -> pd.Series:
    """The calendar date in ``timezone`` of each UTC instant (Arrow ``date32``, Spark ``DATE``)."""

    local = instants.dt.tz_convert(timezone).dt.tz_localize(None)
    days = local.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    return pd.Series(
        pd.arrays.ArrowExtensionArray(pa.array(days, type=pa.date32(), from_pandas=True)),
        index=instants.index,
    )


# The forms operators type most, as DuckDB reads them row by row (``sql_local_time``). Each is
# matched against the whole raw text: ASCII digits and separators only, so normalising would not
# change it and it reads exactly as ``parse_operator_timestamps`` reads it. Years 1900-2099 (the
# reference's nanosecond range holds them); other text is left to the reference.
_DAY = r"(?:19|20)\d{2}-\d{2}-\d{2}"
_US_DAY = r"\d{1,2}/\d{1,2}/(?:19|20)\d{2}"
_SQL_FORMS = (
    (_DAY, ["%Y-%m-%d"]),
    (_DAY + r"[T ]\d{2}:\d{2}", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]),
    (_DAY + r"[T ]\d{2}:\d{2}:\d{2}", ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]),
    (_US_DAY, ["%m/%d/%Y"]),
    (_US_DAY + r" \d{1,2}:\d{2}", ["%m/%d/%Y %H:%M"]),
    (_US_DAY + r" \d{1,2}:\d{2}:\d{2}", ["%m/%d/%Y %H:%M:%S"]),
    (_US_DAY + r" \d{1,2}:\d{2} [AP]M", ["%m/%d/%Y %I:%M %p"]),
    (_US_DAY + r" \d{1,2}:\d{2}:\d{2} [AP]M", ["%m/%d/%Y %I:%M:%S %p"]),
)
# Up to nine decimals a serial's milliseconds never sit on a half, so DuckDB's and pandas' readings
# of the number round alike.
_SQL_SERIAL = r"\d{4,6}(?:\.\d{1,9})?"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_local_time(column: str) -> str:
    """DuckDB: the local (naive) time written in ``column`` in the forms above, NULL for other
    text and where the text names no real time (``2022-02-30``, ``13:00 PM``); the caller reads
    the NULLs' text with ``parse_operator_timestamps`` (``column`` is a constant of the caller's,
    double-quoted here)."""
    quoted = f'"{column}"'
    low, high = _SERIAL_RANGE
    cases = [
        f"when regexp_full_match({quoted}, {_sql_string(pattern)}) "
        f"then try_strptime({quoted}, [{', '.join(_sql_string(f) for f in formats)}])"
        for pattern, formats in _SQL_FORMS
    ]
    serial = f"try_cast({quoted} as double)"
    cases.append(
        f"when regexp_full_match({quoted}, {_sql_string(_SQL_SERIAL)}) "
        f"and {serial} between {low} and {high} "
        f"then timestamp '1899-12-30' + to_milliseconds(round_even({serial} * 86400000, 0)::bigint)"
    )
    return "case " + " ".join(cases) + " end"


def localise_naive(naive: np.ndarray, timezone: str) -> np.ndarray:
    """Local times (``datetime64[us]``, NaT kept) -> UTC ``datetime64[us]`` by the rules above
    (``_localise``'s, on a plain array: one copy, not a Series' several)."""
    local = pd.DatetimeIndex(naive.astype("datetime64[us]", copy=False))
    first_occurrence = np.ones(len(local), dtype=bool)
    utc = local.tz_localize(timezone, ambiguous=first_occurrence, nonexistent="shift_forward")
    return utc.asi8.view("datetime64[us]")
