"""Read VAN event sign-up status-history CSV exports into typed rows plus a quarantine.

Pure pandas: no Dagster. A file that cannot be read as a CSV (not UTF-8, empty, an unclosed quote,
a field over 131,072 characters) or lacks a required column fails with an error naming the file
(and line); a row whose id, date or instant does not parse, whose status is empty, or whose number
of fields differs from the header's goes to the quarantine with its file, line and reason, and the
good rows of the same file are kept.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from leanetl.lib.quarantine import combine, empty_quarantine, quarantine_frame
from leanetl.lib.sources import (
    SourceSchemaError,
    column_name,
    csv_records,
    require_columns,
    utf8_text,
)
from leanetl.lib.text import normalise_text

ID_COLUMNS = ("event_signup_id", "event_id", "event_location_id", "van_id")
TEXT_COLUMNS = ("event_location_name", "organizer", "status")
REQUIRED_COLUMNS = (
    "event_signup_id",
    "event_id",
    "event_date",
    "event_location_id",
    "event_location_name",
    "organizer",
    "van_id",
    "status",
    "status_changed_at",
)


@dataclass(frozen=True)
class SignupLoad:
    rows: pd.DataFrame
    quarantine: pd.DataFrame
    files: list[str]
    # file -> (data rows read, rows quarantined): the quarantine threshold applies per file too.
    per_file: dict[str, tuple[int, int]]


def empty_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            **{c: pd.Series(dtype="int64") for c in ID_COLUMNS},
            "event_date": pd.Series(dtype="datetime64[us]"),
            **{c: pd.Series(dtype="object") for c in TEXT_COLUMNS},
            "status_changed_at": pd.Series(dtype="datetime64[us]"),
        }
    )[list(REQUIRED_COLUMNS)]


# Whole numbers 0 .. 2**63-1 written as digits; a ".0" suffix (as spreadsheets write integers)
# is the same number. Never through float: 9007199254740993 stays itself.
_ID = r"^0*(\d{1,19})(?:\.0+)?$"
_INT64_MAX = str(2**63 - 1)


def _parse_ids(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    digits = values.astype(object).str.extract(_ID, expand=False)
    ok = digits.notna() & ((digits.str.len() < 19) | (digits.fillna("") <= _INT64_MAX))
    ok = ok.astype(bool)
    return digits.where(ok, "0").astype("int64"), ~ok


def _parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    parsed = pd.to_datetime(values, format="ISO8601", errors="coerce")
    return parsed.dt.normalize().astype("datetime64[us]"), parsed.isna()


def _parse_instants(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    # ISO-8601; an instant without an offset is UTC. Stored as naive UTC. Values with and without
    # an offset are parsed apart: in one call pandas would apply one row's offset to another.
    text = values.astype(object)
    has_offset = text.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True)
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    for mask in (has_offset, ~has_offset):
        if mask.any():
            parsed[mask] = pd.to_datetime(text[mask], format="ISO8601", utc=True, errors="coerce")
    return parsed.dt.tz_convert(None).astype("datetime64[us]"), parsed.isna()


def _reasons(offending: pd.DataFrame, fields: pd.Series) -> list[str]:
    return [
        "; ".join(
            f"{f} {'is empty' if offending.at[i, f] == '' else 'cannot be parsed'}: "
            f"{offending.at[i, f]!r}"
            for f in fs.split(",")
        )
        for i, fs in zip(offending.index, fields.values, strict=True)
    ]


def parse_signups(
    raw: pd.DataFrame, source: str, lines: Sequence[int] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Typed rows and quarantined rows of one file already read as strings.

    Headers match case- and space-insensitively (``Event Signup ID`` = ``event_signup_id``); a
    required column twice is an error naming the file. Every value is normalised like all text
    (NFKC, invisible characters removed, spaces collapsed) before it is parsed. ``lines`` are the
    file's line numbers of the rows (default: one line per row after the header).
    """
    header = [str(c).strip() for c in raw.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in {column_name(h) for h in header}]
    if missing:
        raise SourceSchemaError(
            f"{source}: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(c) for c in missing)} (header: {', '.join(header)})"
        )
    raw = require_columns(raw, REQUIRED_COLUMNS, source)[list(REQUIRED_COLUMNS)]
    raw = raw.astype(object).fillna("")
    line_numbers = pd.Series(
        list(lines) if lines is not None else range(2, len(raw) + 2), index=raw.index
    )
    clean = pd.DataFrame(
        {c: normalise_text(raw[c]).astype(object).fillna("") for c in REQUIRED_COLUMNS},
        index=raw.index,
    )
    parsed: dict[str, pd.Series] = {}
    bad: dict[str, pd.Series] = {}
    for column in ID_COLUMNS:
        parsed[column], bad[column] = _parse_ids(clean[column])
    parsed["event_date"], bad["event_date"] = _parse_dates(clean["event_date"])
    parsed["status_changed_at"], bad["status_changed_at"] = _parse_instants(
        clean["status_changed_at"]
    )
    for column in TEXT_COLUMNS:
        parsed[column] = clean[column].astype(object).fillna("")
    bad["status"] = parsed["status"] == ""

    bad_frame = pd.DataFrame(bad)
    is_bad = bad_frame.any(axis=1)
    rows = pd.DataFrame(parsed)[list(REQUIRED_COLUMNS)][~is_bad].reset_index(drop=True)
    if not is_bad.any():
        return rows, empty_quarantine()
    bad_rows = bad_frame[is_bad]
    fields = bad_rows.apply(lambda r: ",".join(c for c in bad_rows.columns if r[c]), axis=1)
    offending = raw[is_bad]
    quarantine = quarantine_frame(
        source,
        [f"line {n}" for n in line_numbers[is_bad]],
        _reasons(offending, fields),
        offending.apply(lambda r: ",".join(r.values), axis=1).tolist(),
    )
    return rows, quarantine


def _csv_records(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and (first line, fields) of every non-blank record; file errors name the file."""
    data = path.read_bytes()
    if not data.strip():
        raise SourceSchemaError(f"{path}: empty file (no header row)")
    records = [
        (line, r)
        for line, r in csv_records(str(path), utf8_text(str(path), data, "the sign-ups"))
        if any(field.strip() for field in r)
    ]
    return records[0][1], records[1:]  # the first non-blank record is the header


def read_signup_file(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One export's typed rows and quarantine; a row with more or fewer fields than the header
    is quarantined whole (its fields cannot be told apart)."""
    header, records = _csv_records(path)
    width = len(header)
    fitting = [(line, r) for line, r in records if len(r) == width]
    ragged = [(line, r) for line, r in records if len(r) != width]
    raw = pd.DataFrame([r for _, r in fitting], columns=header, dtype=object)
    rows, quarantine = parse_signups(raw, str(path), [line for line, _ in fitting])
    if ragged:
        misfits = quarantine_frame(
            str(path),
            [f"line {line}" for line, _ in ragged],
            [f"has {len(r)} fields, the header has {width}" for _, r in ragged],
            [",".join(r) for _, r in ragged],
        )
        quarantine = combine([quarantine, misfits])
        line_order = quarantine["locator"].str.removeprefix("line ").astype("int64")
        quarantine = quarantine.iloc[line_order.argsort(kind="stable")].reset_index(drop=True)
    return rows, quarantine


def load_signup_files(paths: Iterable[Path]) -> SignupLoad:
    """Every file's good rows together, and every file's quarantine together."""
    files = sorted(Path(p) for p in paths)
    results = [read_signup_file(p) for p in files]
    rows = [r for r, _ in results if len(r)]
    quarantines = [q for _, q in results if len(q)]
    return SignupLoad(
        rows=pd.concat(rows, ignore_index=True) if rows else empty_rows(),
        quarantine=combine(quarantines),
        files=[str(p) for p in files],
        per_file={
            str(p): (len(r) + len(q), len(q)) for p, (r, q) in zip(files, results, strict=True)
        },
    )
