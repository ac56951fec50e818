"""``clean_leads`` in DuckDB: the rules of ``clean.clean_leads_pandas``, at 10M rows in bounded memory.

Text rules stay in Python and run once per distinct value (``normalise_text``,
``parse_operator_timestamps``, ``canonical_countries``, ``casefold``: the same functions, so the
same answers for invisible characters, other spellings and time zones); DuckDB joins their
results back onto the rows, finds the quarantined ones, and deduplicates with a group-by instead
of pandas' sort, group-by and copies.
"""

from collections.abc import Iterator
from contextlib import contextmanager

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
    quarantined_rows,
    with_origin,
)
from leanetl.lib.sources import require_columns
from leanetl.lib.text import TEXT, casefold, normalise_text
from leanetl.lib.timestamps import local_dates, parse_operator_timestamps

# DuckDB spills to disk past this, so a 10M-row source stays within ~2 GB of memory.
MEMORY_LIMIT = "1GB"


@contextmanager
def _connection() -> Iterator[duckdb.DuckDBPyConnection]:
    conn = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "threads": 2})
    try:
        yield conn
    finally:
        conn.close()


def _lookup(conn: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    """Register a small table of distinct values and what they become."""
    conn.register(name, pa.Table.from_pandas(frame, preserve_index=False))


def _text(values: pa.ChunkedArray) -> pd.Series:
    """Arrow strings as leanetl's text column, without a copy through Python objects."""
    return pd.Series(pd.arrays.ArrowStringArray(values.cast(pa.large_string())))


def _arrow(relation: duckdb.DuckDBPyRelation) -> pa.Table:
    table = relation.arrow()
    return table.read_all() if isinstance(table, pa.RecordBatchReader) else table


def _distinct(conn: duckdb.DuckDBPyConnection, sql: str) -> pd.Series:
    return _text(_arrow(conn.sql(sql)).column(0))


def _normalised_columns(conn: duckdb.DuckDBPyConnection, timezone: str) -> str:
    """Per lead column, its distinct raw values -> normalised text (``<column>_map``); the
    operator timestamps -> UTC instants too. Returns the select list of the typed rows."""
    for column in LEAD_COLUMNS:
        raw = _distinct(conn, f'select distinct "{column}" from raw where "{column}" is not null')
        mapped = pd.DataFrame({"raw": raw, "value": normalise_text(raw)})
        if column == "operator_timestamp":
            mapped["at"] = parse_operator_timestamps(raw, timezone)
        _lookup(conn, f"{column}_map", mapped)
    return ", ".join(f'"{c}_map".value as "{c}"' for c in LEAD_COLUMNS)


def _reasons_sql() -> str:
    """Why a row is quarantined, worded as ``clean_leads_pandas`` words it ('' when it is not)."""
    missing = " || ".join(f"case when {c} is null then ', {c}' else '' end" for c in LEAD_KEY)
    stamp = (
        "case when operator_timestamp is null then 'missing operator_timestamp' "
        "when operator_at is null then 'unparsable operator_timestamp' else '' end"
    )
    listed = f"({missing})"
    key_reason = f"case when {listed} = '' then '' else 'missing ' || substr({listed}, 3) end"
    return (
        f"case when ({key_reason}) <> '' and ({stamp}) <> '' "
        f"then ({key_reason}) || '; ' || ({stamp}) else ({key_reason}) || ({stamp}) end"
    )


def clean_leads(raw: pd.DataFrame, timezone: str, source: str = "leads") -> Cleaned:
    """Normalise, parse ``operator_timestamp`` in ``timezone``, quarantine, and deduplicate.

    Duplicates share (company, first_name, last_name, country) ignoring case; one row is kept
    per lead with the earliest timestamp as ``captured_at``, the latest as ``last_seen_at``, the
    latest non-empty title, and the spelling of the latest row (ties: the later row).
    """
    raw = require_columns(raw, LEAD_COLUMNS, source)
    if "source" not in raw.columns:
        raw = with_origin(raw, source, 2)
    raw = raw.reset_index(drop=True)
    table = pa.Table.from_pandas(
        raw[[*LEAD_COLUMNS, "source", "source_row"]].astype({c: TEXT for c in LEAD_COLUMNS}),
        preserve_index=False,
    ).append_column("_row", pa.array(np.arange(len(raw), dtype="int64")))
    with _connection() as conn:
        conn.register("raw", table)
        typed = _normalised_columns(conn, timezone)
        joins = " ".join(f'left join "{c}_map" on "{c}_map".raw = raw."{c}"' for c in LEAD_COLUMNS)
        conn.execute(
            f"create temp table typed as select raw._row, {typed}, operator_timestamp_map.at "
            f"as operator_at from raw {joins}"
        )
        conn.execute(
            f"create temp table reasons as select _row, {_reasons_sql()} as reason from typed"
        )
        bad = conn.sql("select _row, reason from reasons where reason <> '' order by _row").df()
        quarantine = quarantined_rows(raw, bad["_row"].to_numpy(), bad["reason"], LEAD_COLUMNS)
        rows, unrecognised = _deduplicated(conn, timezone)
    return Cleaned(
        rows=rows,
        quarantine=quarantine,
        source_rows=len(raw),
        unrecognised_countries=unrecognised,
    )


def _deduplicated(conn: duckdb.DuckDBPyConnection, timezone: str) -> tuple[pd.DataFrame, list[str]]:
    conn.execute(
        "create temp table good as select typed.* from typed "
        "join reasons using (_row) where reasons.reason = ''"
    )
    countries = _distinct(conn, "select distinct country from good")
    names, codes = canonical_countries(countries)
    _lookup(conn, "country_map", pd.DataFrame({"raw": countries, "name": names, "code": codes}))
    unrecognised = sorted(str(n) for n, c in zip(names, codes, strict=True) if pd.isna(c))
    conn.execute(
        "create temp table named as select good.* exclude (country), country_map.name as country, "
        "country_map.code as country_code from good join country_map on country_map.raw = good.country"
    )
    for column in LEAD_KEY:
        values = _distinct(conn, f"select distinct {column} from named")
        _lookup(conn, f"{column}_keys", pd.DataFrame({"raw": values, "key": casefold(values)}))
    keyed = ", ".join(f"{c}_keys.key as {c}_key" for c in LEAD_KEY)
    key_joins = " ".join(f"join {c}_keys on {c}_keys.raw = named.{c}" for c in LEAD_KEY)
    keys = ", ".join(f"{c}_key" for c in LEAD_KEY)
    order = "[epoch_us(operator_at), _row]"
    latest = ", ".join(
        f"arg_max({c}, {order}) as {c}"
        for c in ("company", "first_name", "last_name", "country", "country_code")
    )
    result = conn.sql(
        f"""
        with keyed as (select named.*, {keyed} from named {key_joins})
        select
            {latest},
            arg_max(title, {order}) filter (where title is not null) as title,
            min(operator_at) as captured_at,
            max(operator_at) as last_seen_at,
            count(*) as source_rows,
            {keys}
        from keyed
        group by {keys}
        order by captured_at, company_key, last_name_key, first_name_key
        """
    )
    result = _arrow(result)
    texts = (
        "company",
        "first_name",
        "last_name",
        "country",
        "country_code",
        "title",
        "company_key",
    )
    leads = pd.DataFrame({c: _text(result.column(c)) for c in texts})
    for column in ("captured_at", "last_seen_at"):
        leads[column] = result.column(column).to_pandas().astype("datetime64[us, UTC]")
    leads["source_rows"] = result.column("source_rows").to_numpy().astype("int64")
    leads["captured_date"] = local_dates(leads["captured_at"], timezone)
    return leads[list(LEAD_OUTPUT)], unrecognised
