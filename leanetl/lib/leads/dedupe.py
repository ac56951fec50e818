"""``clean_leads`` column by column: the rules of ``clean.clean_leads_pandas``, 10M rows in seconds.

Each text column is dictionary-encoded, so the text rules (``normalise_text``, ``casefold``,
``canonical_countries``: the same functions as the reference, so the same answers for invisible
characters, other spellings and case) run once per distinct value and rows carry integer codes.
Timestamps in the forms operators type most are read by DuckDB row by row (``sql_local_time``),
the rest by the reference parser once per distinct value. DuckDB then groups the good rows by
their four key codes. The raw rows are never copied as text.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from leanetl.lib.countries import canonical_countries
from leanetl.lib.leads.clean import (
    LEAD_COLUMNS,
    LEAD_KEY,
    LEAD_OUTPUT,
    Cleaned,
    lead_reasons,
    quarantined_rows,
)
from leanetl.lib.sources import required_names
from leanetl.lib.text import TEXT, casefold, normalise_text
from leanetl.lib.timestamps import (
    local_dates,
    localise_naive,
    parse_operator_timestamps,
    sql_local_time,
)

# DuckDB spills to disk past this; with the codes below a 10M-row source stays within ~2 GB.
MEMORY_LIMIT = "1GB"
# Columns worth reading dictionary-encoded: people retype the same few values.
REPEATED_COLUMNS = ("company", "first_name", "last_name", "title", "country", "source")
MISSING = -1
STAMP = "operator_timestamp"


@contextmanager
def _connection() -> Iterator[duckdb.DuckDBPyConnection]:
    conn = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "threads": 2})
    try:
        yield conn
    finally:
        conn.close()


def _arrow(relation: duckdb.DuckDBPyRelation) -> pa.Table:
    table = relation.arrow()
    return table.read_all() if isinstance(table, pa.RecordBatchReader) else table


def _text(values: pa.Array | pa.ChunkedArray) -> pd.Series:
    """Arrow strings as leanetl's text column, without a copy through Python objects."""
    return pd.Series(pd.arrays.ArrowStringArray(values.cast(pa.large_string())))


def _take(column: pa.ChunkedArray, positions: np.ndarray) -> pa.ChunkedArray:
    """``column`` at ``positions`` (ascending), chunk by chunk: Arrow's take of a chunked column
    first copies it into one array (230 MB for 10M stamps)."""
    bounds = np.cumsum([0, *(len(chunk) for chunk in column.chunks)])
    starts, ends = bounds[:-1], np.searchsorted(positions, bounds)
    parts = []
    for chunk, start, low, high in zip(column.chunks, starts, ends[:-1], ends[1:], strict=True):
        if high > low:
            parts.append(chunk.take(pa.array(positions[low:high] - start)))
    return pa.chunked_array(parts, type=column.type)


@dataclass(frozen=True)
class Coded:
    """A column as codes: ``codes[row]`` indexes ``values`` (``MISSING`` where there is none)."""

    codes: np.ndarray
    values: pd.Series

    def at(self, rows: np.ndarray) -> pd.Series:
        """Values at ``rows`` (a row of ``MISSING``, or a missing code, gives a missing value)."""
        codes = np.where(rows >= 0, self.codes[rows], MISSING)
        taken = self.values.array.take(codes, allow_fill=True)
        return pd.Series(taken, dtype=self.values.dtype)

    def recoded(self, transform: pd.Series) -> "Coded":
        """Codes of ``transform`` (one entry per value) with equal results sharing a code; codes
        follow the results' sort order, so sorting codes sorts the text."""
        new_codes, uniques = pd.factorize(transform.astype(TEXT), sort=True, use_na_sentinel=True)
        mapping = np.append(new_codes.astype(np.int32), np.int32(MISSING))
        return Coded(mapping[self.codes], pd.Series(uniques, dtype=TEXT))


def _coded(column: pa.ChunkedArray) -> Coded:
    """A raw text column -> codes of its normalised values (``normalise_text``)."""
    if not pa.types.is_dictionary(column.type):
        column = column.dictionary_encode()
    combined = column.combine_chunks()  # one dictionary for every chunk
    indices = combined.indices.fill_null(MISSING).to_numpy(zero_copy_only=False).astype(np.int32)
    raw = Coded(indices, _text(combined.dictionary))
    return raw.recoded(normalise_text(raw.values))


def _raw_table(raw: pd.DataFrame | pa.Table, source: str) -> pa.Table:
    """The lead columns (normalised headers), ``source`` and ``source_row``, as Arrow."""
    if isinstance(raw, pd.DataFrame):
        raw = raw.reset_index(drop=True)
        names = required_names(list(raw.columns), LEAD_COLUMNS, source)
        raw = raw.set_axis(names, axis=1).loc[:, lambda f: ~f.columns.duplicated()]
        columns = [c for c in (*LEAD_COLUMNS, "source", "source_row") if c in raw.columns]
        raw = pa.Table.from_pandas(
            raw[columns].astype({c: TEXT for c in LEAD_COLUMNS}), preserve_index=False
        )
    else:
        names = required_names(raw.column_names, LEAD_COLUMNS, source)
        raw = raw.rename_columns(names)
        for column in LEAD_COLUMNS:  # e.g. a column with no value at all is Arrow's null type
            kind = raw.schema.field(column).type
            if not (pa.types.is_dictionary(kind) or pa.types.is_string(kind)):
                raw = raw.set_column(
                    raw.column_names.index(column), column, raw.column(column).cast(pa.string())
                )
    if "source" not in raw.column_names:
        rows = raw.num_rows
        one_source = pa.DictionaryArray.from_arrays(
            pa.array(np.zeros(rows, dtype=np.int32)), pa.array([source])
        )
        raw = raw.append_column("source", one_source)
        raw = raw.append_column("source_row", pa.array(np.arange(2, rows + 2, dtype="int64")))
    keep = [*LEAD_COLUMNS, "source", "source_row"]
    return raw.select([raw.column_names.index(c) for c in keep])


def _utc_micros(instants: pd.Series) -> np.ndarray:
    """UTC instants as a numpy ``datetime64[us]`` array (NaT kept)."""
    return instants.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[us]")


def _stamps(
    conn: duckdb.DuckDBPyConnection, raw: pa.Table, timezone: str
) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the instant in UTC (``datetime64[us]``, NaT where unreadable) and whether there
    is a stamp at all (after normalising: a lone zero-width space is none)."""
    stamps = raw.column(STAMP)
    conn.register("stamps", pa.table({STAMP: stamps}))
    naive = _arrow(conn.sql(f"select {sql_local_time(STAMP)} as naive from stamps")).column(0)
    conn.unregister("stamps")
    present = stamps.is_valid().to_numpy(zero_copy_only=False)
    # What SQL did not read goes to the reference parser, once per distinct text.
    unread = np.flatnonzero(present & naive.is_null().to_numpy(zero_copy_only=False))
    instants = localise_naive(naive.to_numpy(zero_copy_only=False), timezone).copy()
    del naive
    text = _text(_take(stamps, unread))
    instants[unread] = _utc_micros(parse_operator_timestamps(text, timezone))
    present[unread] = normalise_text(text).notna().to_numpy()
    return instants, present


def clean_leads(raw: pd.DataFrame | pa.Table, timezone: str, source: str = "leads") -> Cleaned:
    """Normalise, parse ``operator_timestamp`` in ``timezone``, quarantine, and deduplicate.

    Duplicates share (company, first_name, last_name, country) ignoring case; one row is kept
    per lead with the earliest timestamp as ``captured_at``, the latest as ``last_seen_at``, the
    latest non-empty title, and the spelling of the latest row (ties: the later row).
    """
    table = _raw_table(raw, source)
    text = {c: _coded(table.column(c)) for c in LEAD_COLUMNS if c != STAMP}
    with _connection() as conn:
        instants, stamp_present = _stamps(conn, table, timezone)
        bad = ~stamp_present | np.isnat(instants)
        for column in LEAD_KEY:
            bad |= text[column].codes == MISSING
        positions = np.flatnonzero(bad)
        quarantine = _quarantine(table, positions, text, instants, stamp_present)
        rows, unrecognised = _deduplicated(conn, text, instants, ~bad, timezone)
    return Cleaned(
        rows=rows,
        quarantine=quarantine,
        source_rows=table.num_rows,
        unrecognised_countries=unrecognised,
    )


def _quarantine(
    table: pa.Table,
    positions: np.ndarray,
    text: dict[str, Coded],
    instants: np.ndarray,
    stamp_present: np.ndarray,
) -> pd.DataFrame:
    """The bad rows, worded by the reference's ``lead_reasons``, with their raw cells."""
    normalised = pd.DataFrame({c: text[c].at(positions) for c in LEAD_KEY})
    normalised[STAMP] = pd.Series(np.where(stamp_present[positions], "x", None), dtype=TEXT)
    captured = pd.Series(instants[positions])
    reasons = lead_reasons(normalised, captured)
    frame = pd.DataFrame(
        {
            c: _text(_take(table.column(c), positions).cast(pa.string()))
            if c != "source_row"
            else _take(table.column(c), positions).to_pandas()
            for c in table.column_names
        }
    )
    return quarantined_rows(frame, np.arange(len(frame)), reasons.tolist(), LEAD_COLUMNS)


# The latest row of a lead: by instant, then further down the sheet. One number (instant in
# microseconds, then the row in 34 bits), so arg_max compares integers.
_LATEST = "(at_us::hugeint * 17179869184 + _row)"


def _deduplicated(
    conn: duckdb.DuckDBPyConnection,
    text: dict[str, Coded],
    instants: np.ndarray,
    good: np.ndarray,
    timezone: str,
) -> tuple[pd.DataFrame, list[str]]:
    """One row per lead key among the good rows, and the country names no code was found for."""
    names, iso_codes = canonical_countries(text["country"].values)
    country = text["country"].recoded(names)
    country_codes = (
        (
            pd.DataFrame({"name": names, "code": iso_codes})
            .drop_duplicates("name")
            .set_index("name")
        )["code"]
        .reindex(country.values)
        .astype(TEXT)
    )
    keys = {c: text[c].recoded(casefold(text[c].values)) for c in LEAD_KEY if c != "country"}
    keys["country"] = country.recoded(casefold(country.values))
    coded = pa.table(
        {
            **{f"{c}_key": keys[c].codes for c in LEAD_KEY},
            "title": text["title"].codes,
            "at_us": instants.view("int64"),
            "good": good,
            "_row": np.arange(len(good), dtype=np.int32),  # 34 bits in _LATEST
        }
    )
    conn.register("coded", coded)
    # One thread: each thread's hash table holds every lead (+170 MB at 10M rows, 0.7 s saved).
    conn.execute("set threads = 1")
    key_list = ", ".join(f"{c}_key" for c in LEAD_KEY)
    grouped = _arrow(
        conn.sql(
            f"""
            select {key_list},
                arg_max(_row, {_LATEST}) as latest_row,
                arg_max(_row, {_LATEST}) filter (where title <> {MISSING}) as title_row,
                min(at_us) as captured_us, max(at_us) as last_seen_us, count(*) as source_rows
            from coded where good
            group by {key_list}
            order by captured_us, company_key, last_name_key, first_name_key, country_key
            """
        )
    )
    conn.unregister("coded")
    latest = grouped.column("latest_row").to_numpy()
    title_rows = grouped.column("title_row").fill_null(MISSING).to_numpy()
    leads = pd.DataFrame(
        {
            **{c: text[c].at(latest) for c in ("company", "first_name", "last_name")},
            "country": country.at(latest),
            "country_code": pd.Series(
                country_codes.array.take(country.codes[latest], allow_fill=True), dtype=TEXT
            ),
            "title": text["title"].at(title_rows),
            "company_key": keys["company"].at(latest),
        }
    )
    for column, values in (("captured_at", "captured_us"), ("last_seen_at", "last_seen_us")):
        micros = grouped.column(values).to_numpy().view("datetime64[us]")
        leads[column] = pd.Series(micros).dt.tz_localize("UTC")
    leads["source_rows"] = grouped.column("source_rows").to_numpy().astype("int64")
    leads["captured_date"] = local_dates(leads["captured_at"], timezone)
    in_use = np.bincount(country.codes[good], minlength=len(country.values)) > 0
    unknown = country_codes.isna().to_numpy() & in_use
    return leads[list(LEAD_OUTPUT)], sorted(str(n) for n in country.values[unknown])
