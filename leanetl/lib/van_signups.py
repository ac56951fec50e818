"""Read VAN event sign-up status-history CSV exports into typed rows plus a quarantine.

Pure pandas: no Dagster. A file without a required column fails with an error naming the file and
the column; a row whose id or date does not parse goes to the quarantine with its file, line and
reason, and the good rows of the same file are kept.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from leanetl.lib.sources import SourceSchemaError

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
QUARANTINE_COLUMNS = ("source_file", "line", "fields", "reason", "raw")


@dataclass(frozen=True)
class SignupLoad:
    rows: pd.DataFrame
    quarantine: pd.DataFrame
    files: list[str]


def empty_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            **{c: pd.Series(dtype="int64") for c in ID_COLUMNS},
            "event_date": pd.Series(dtype="datetime64[us]"),
            **{c: pd.Series(dtype="object") for c in TEXT_COLUMNS},
            "status_changed_at": pd.Series(dtype="datetime64[us]"),
        }
    )[list(REQUIRED_COLUMNS)]


def _parse_ids(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    numbers = pd.to_numeric(values.str.strip(), errors="coerce")
    ok = numbers.notna() & (numbers == numbers.round()) & (numbers >= 0)
    return numbers.where(ok, 0).astype("int64"), ~ok


def _parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    parsed = pd.to_datetime(values.str.strip(), format="ISO8601", errors="coerce")
    return parsed.dt.normalize(), parsed.isna()


def _parse_instants(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    # ISO-8601; an instant without an offset is UTC. Stored as naive UTC. Values with and without
    # an offset are parsed apart: in one call pandas would apply one row's offset to another.
    text = values.str.strip()
    has_offset = text.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True)
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    for mask in (has_offset, ~has_offset):
        if mask.any():
            parsed[mask] = pd.to_datetime(text[mask], format="ISO8601", utc=True, errors="coerce")
    return parsed.dt.tz_convert(None), parsed.isna()


def parse_signups(raw: pd.DataFrame, source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Typed rows and quarantined rows of one file already read as strings."""
    header = [c.strip() for c in raw.columns]
    raw = raw.set_axis(header, axis=1)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise SourceSchemaError(
            f"{source}: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(c) for c in missing)} (header: {', '.join(header)})"
        )
    raw = raw[list(REQUIRED_COLUMNS)].fillna("")
    parsed: dict[str, pd.Series] = {}
    bad: dict[str, pd.Series] = {}
    for column in ID_COLUMNS:
        parsed[column], bad[column] = _parse_ids(raw[column])
    parsed["event_date"], bad["event_date"] = _parse_dates(raw["event_date"])
    parsed["status_changed_at"], bad["status_changed_at"] = _parse_instants(
        raw["status_changed_at"]
    )
    for column in TEXT_COLUMNS:
        parsed[column] = raw[column].str.strip()
    bad["status"] = parsed["status"] == ""

    bad_frame = pd.DataFrame(bad)
    is_bad = bad_frame.any(axis=1)
    rows = pd.DataFrame(parsed)[list(REQUIRED_COLUMNS)][~is_bad].reset_index(drop=True)

    if is_bad.any():
        bad_rows = bad_frame[is_bad]
        fields = bad_rows.apply(lambda r: ",".join(c for c in bad_rows.columns if r[c]), axis=1)
        offending = raw[is_bad]
        quarantine = pd.DataFrame(
            {
                "source_file": source,
                "line": (offending.index + 2).astype("int64"),  # line 1 is the header
                "fields": fields.values,
                "reason": [
                    "; ".join(
                        f"{f} {'is empty' if offending.at[i, f] == '' else 'cannot be parsed'}: "
                        f"{offending.at[i, f]!r}"
                        for f in fs.split(",")
                    )
                    for i, fs in zip(offending.index, fields.values, strict=True)
                ],
                "raw": offending.apply(lambda r: ",".join(r.values), axis=1).values,
            }
        )
    else:
        quarantine = pd.DataFrame({c: pd.Series(dtype="object") for c in QUARANTINE_COLUMNS})
        quarantine["line"] = quarantine["line"].astype("int64")
    return rows, quarantine


def read_signup_file(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=False)
    return parse_signups(raw, str(path))


def load_signup_files(paths: Iterable[Path]) -> SignupLoad:
    """Every file's good rows together, and every file's quarantine together."""
    files = sorted(Path(p) for p in paths)
    results = [read_signup_file(p) for p in files]
    rows = [r for r, _ in results if len(r)]
    quarantines = [q for _, q in results if len(q)]
    return SignupLoad(
        rows=pd.concat(rows, ignore_index=True) if rows else empty_rows(),
        quarantine=(
            pd.concat(quarantines, ignore_index=True)
            if quarantines
            else parse_signups(pd.DataFrame(columns=list(REQUIRED_COLUMNS)), "")[1]
        ),
        files=[str(p) for p in files],
    )
