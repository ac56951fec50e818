"""Leads and companies as operators paste them -> clean, deduplicated rows plus a quarantine.

Pure pandas, no Dagster (the pipeline cleans leads column by column: ``dedupe.clean_leads``). Raw frames carry ``source`` (sheet or file) and ``source_row`` (the row
number a person sees there) so every quarantined row can be found again.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from leanetl.lib.countries import canonical_countries, hq_countries
from leanetl.lib.outcomes import Outcomes
from leanetl.lib.quarantine import quarantine_frame, raw_json
from leanetl.lib.sources import require_columns
from leanetl.lib.text import TEXT, casefold, normalise_text
from leanetl.lib.timestamps import local_dates, parse_operator_timestamps

LEAD_COLUMNS = ("company", "first_name", "last_name", "title", "country", "operator_timestamp")
LEAD_KEY = ("company", "first_name", "last_name", "country")
COMPANY_COLUMNS = ("company", "hq_location")

LEAD_OUTPUT = (
    "company",
    "first_name",
    "last_name",
    "title",
    "country",
    "country_code",
    "captured_at",
    "captured_date",
    "last_seen_at",
    "source_rows",
    "company_key",
)
COMPANY_OUTPUT = ("company", "hq_location", "hq_country", "hq_country_code", "company_key")


@dataclass(frozen=True)
class Cleaned:
    rows: pd.DataFrame
    quarantine: pd.DataFrame
    source_rows: int
    unrecognised_countries: list[str]

    @property
    def duplicates_merged(self) -> int:
        return self.source_rows - len(self.quarantine) - len(self.rows)


def empty_raw(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            **{c: pd.Series(dtype="string") for c in columns},
            "source": pd.Series(dtype="string"),
            "source_row": pd.Series(dtype="int64"),
        }
    )


def with_origin(frame: pd.DataFrame, source: str, first_row: int) -> pd.DataFrame:
    """Add ``source`` and ``source_row`` (``first_row`` for the first data row)."""
    out = frame.copy()
    out["source"] = pd.Series(source, index=out.index, dtype="string")
    out["source_row"] = pd.RangeIndex(first_row, first_row + len(out)).to_numpy()
    return out


def _quarantine(
    raw: pd.DataFrame, bad: pd.Series, reasons: pd.Series, columns: tuple[str, ...]
) -> pd.DataFrame:
    """The bad rows in the one quarantine schema: locator ``row <n>``, raw the row's cells."""
    positions = np.flatnonzero(bad.to_numpy(dtype=bool))
    return quarantined_rows(raw, positions, reasons[bad].astype(str).tolist(), columns)


def quarantined_rows(
    raw: pd.DataFrame, positions: np.ndarray, reasons: Sequence[str], columns: tuple[str, ...]
) -> pd.DataFrame:
    """The rows of ``raw`` at ``positions`` (with ``reasons``) in the one quarantine schema."""
    frame = raw.iloc[positions]  # the few bad rows only: never a copy of the whole source
    cells = frame[list(columns)].astype(object).where(frame[list(columns)].notna(), None)
    return quarantine_frame(
        frame["source"].astype(str).tolist(),
        [f"row {n}" for n in frame["source_row"]],
        [str(r) for r in reasons],
        [raw_json(r) for r in cells.to_dict("records")],
    )


def _missing_reasons(frame: pd.DataFrame, fields: tuple[str, ...]) -> pd.Series:
    """'missing company, country' per row; empty where nothing is missing."""
    listed = pd.Series("", index=frame.index, dtype="string")
    for field in fields:
        listed = listed + frame[field].isna().map({True: f", {field}", False: ""}).astype("string")
    return ("missing " + listed.str[2:]).where(listed != "", "")


def _join_reasons(first: pd.Series, second: pd.Series) -> pd.Series:
    both = (first != "") & (second != "")
    return (first + second.where(~both, "; " + second)).astype("string")


def lead_reasons(text: pd.DataFrame, captured: pd.Series) -> pd.Series:
    """Why each lead is quarantined ('' when it is not): 'missing company, country',
    'missing operator_timestamp' or 'unparsable operator_timestamp', joined by '; '."""
    stamp_reason = pd.Series("", index=text.index, dtype="string")
    stamp_reason = stamp_reason.mask(captured.isna(), "unparsable operator_timestamp")
    stamp_reason = stamp_reason.mask(
        text["operator_timestamp"].isna(), "missing operator_timestamp"
    )
    return _join_reasons(_missing_reasons(text, LEAD_KEY), stamp_reason)


def keys_unique(rows: pd.DataFrame, key: tuple[str, ...]) -> Outcomes:
    """Check ``keys_unique``: no row repeats an earlier row's ``key`` ignoring case (the
    cleaning merges such rows), as an outcome ``{check: (passed, metadata)}``."""
    repeated = int(pd.DataFrame({c: casefold(rows[c]) for c in key}).duplicated().sum())
    return {"keys_unique": (repeated == 0, {"duplicate_keys": repeated})}


def clean_leads_pandas(raw: pd.DataFrame, timezone: str, source: str = "leads") -> Cleaned:
    """The reference implementation of ``lib.leads.dedupe.clean_leads`` (tests compare the two;
    the bench measures both): normalise, parse ``operator_timestamp`` in ``timezone``,
    quarantine, and deduplicate.

    Duplicates share (company, first_name, last_name, country) ignoring case; one row is kept
    per lead with the earliest timestamp as ``captured_at``, the latest as ``last_seen_at``, the
    latest non-empty title, and the spelling of the latest row.
    """
    raw = require_columns(raw, LEAD_COLUMNS, source)
    if "source" not in raw.columns:
        raw = with_origin(raw, source, 2)
    raw = raw.reset_index(drop=True)
    text = pd.DataFrame({c: normalise_text(raw[c]) for c in LEAD_COLUMNS}, index=raw.index)
    captured = parse_operator_timestamps(raw["operator_timestamp"], timezone)

    reasons = lead_reasons(text, captured)
    bad = reasons != ""
    quarantine = _quarantine(raw, bad, reasons, LEAD_COLUMNS)

    good = text.loc[~bad].copy()
    good["operator_at"] = captured[~bad]
    good["country"], good["country_code"] = canonical_countries(good["country"])
    unrecognised = sorted(good.loc[good["country_code"].isna(), "country"].dropna().unique())
    keys = pd.DataFrame({c: casefold(good[c]) for c in LEAD_KEY}, index=good.index)
    keyed = good.join(keys.add_suffix("_key"))
    key_columns = [f"{c}_key" for c in LEAD_KEY]
    keyed = keyed.sort_values([*key_columns, "operator_at"], kind="stable")

    grouped = keyed.groupby(key_columns, sort=False, dropna=False)
    latest = keyed.drop_duplicates(key_columns, keep="last").set_index(key_columns)
    latest_title = (
        keyed.dropna(subset=["title"])
        .drop_duplicates(key_columns, keep="last")
        .set_index(key_columns)["title"]
    )
    leads = latest[["company", "first_name", "last_name", "country", "country_code"]].copy()
    leads["title"] = latest_title.reindex(leads.index).astype(TEXT)
    leads["captured_at"] = grouped["operator_at"].min()
    leads["last_seen_at"] = grouped["operator_at"].max()
    leads["source_rows"] = grouped.size().astype("int64")
    leads = leads.reset_index()
    leads["captured_date"] = local_dates(leads["captured_at"], timezone)
    leads = leads.sort_values(["captured_at", "company_key", "last_name_key", "first_name_key"])
    return Cleaned(
        rows=leads[list(LEAD_OUTPUT)].reset_index(drop=True),
        quarantine=quarantine,
        source_rows=len(raw),
        unrecognised_countries=[str(c) for c in unrecognised],
    )


def clean_companies(raw: pd.DataFrame, source: str = "companies") -> Cleaned:
    """Normalise, resolve each HQ's country, quarantine rows without a key, deduplicate.

    Duplicates share (company, hq_location) ignoring case; the first row's spelling is kept.
    """
    raw = require_columns(raw, COMPANY_COLUMNS, source)
    if "source" not in raw.columns:
        raw = with_origin(raw, source, 2)
    raw = raw.reset_index(drop=True)
    text = pd.DataFrame({c: normalise_text(raw[c]) for c in COMPANY_COLUMNS}, index=raw.index)
    reasons = _missing_reasons(text, COMPANY_COLUMNS)
    bad = reasons != ""
    quarantine = _quarantine(raw, bad, reasons, COMPANY_COLUMNS)
    good = text.loc[~bad].copy()
    good["company_key"] = casefold(good["company"])
    good["location_key"] = casefold(good["hq_location"])
    good = good.drop_duplicates(["company_key", "location_key"], keep="first")
    good["hq_country"], good["hq_country_code"] = hq_countries(good["hq_location"])
    unrecognised = sorted(good.loc[good["hq_country_code"].isna(), "hq_location"].unique())
    companies = good.sort_values(["company_key", "location_key"])[list(COMPANY_OUTPUT)]
    return Cleaned(
        rows=companies.reset_index(drop=True),
        quarantine=quarantine,
        source_rows=len(raw),
        unrecognised_countries=[str(c) for c in unrecognised],
    )
