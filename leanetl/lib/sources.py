"""What every file source shares: UTF-8 text and CSV records read with errors that name the file,
and required columns named in the error when one is missing."""

import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence

import pandas as pd


class SourceSchemaError(ValueError):
    """A source lacks a column the pipeline needs."""


def column_name(header: object) -> str:
    """``' First  Name '`` -> ``first_name``: how operators' headers map to column names."""
    text = unicodedata.normalize("NFKC", str(header)).strip().casefold()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def required_names(columns: Sequence[object], required: Sequence[str], source: str) -> list[str]:
    """Normalised names of ``columns``, or an error naming ``source`` and every missing column.

    A header that normalises to the same name as another is an error when the name is required,
    since either column could be the one meant.
    """
    names = [column_name(c) for c in columns]
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    clashes = sorted(n for n, count in seen.items() if count > 1 and n in required)
    if clashes:
        raise SourceSchemaError(
            f"{source}: column {', '.join(repr(c) for c in clashes)} appears more than once "
            f"(columns found: {list(columns)})"
        )
    missing = [c for c in required if c not in seen]
    if missing:
        raise SourceSchemaError(
            f"{source}: missing required column {', '.join(repr(c) for c in missing)} "
            f"(columns found: {list(columns)})"
        )
    return names


def require_columns(frame: pd.DataFrame, required: Sequence[str], source: str) -> pd.DataFrame:
    """``frame`` with normalised headers (``required_names``); extra columns are kept."""
    renamed = frame.copy(deep=False)
    renamed.columns = required_names(list(frame.columns), required, source)
    return renamed.loc[:, ~renamed.columns.duplicated()]


def utf8_text(name: str, data: bytes, what: str) -> str:
    """``data`` as text (a byte-order mark dropped), or an error naming the file and the byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceSchemaError(
            f"{name}: not UTF-8 text (byte {exc.start}); export {what} as CSV UTF-8"
        ) from None


def csv_records(name: str, text: str) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, its fields) for every record of a CSV text, blank lines as [].

    Strict: an unclosed quote or a field over 131,072 characters fails naming the file and line.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        first_line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SourceSchemaError(f"{name}: line {reader.line_num}: {exc}") from None
        yield first_line, record
