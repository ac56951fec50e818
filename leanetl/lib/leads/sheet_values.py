"""Worksheet values (rows of cells, as the Sheets API and JSON exports give them) -> a text frame."""

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from leanetl.lib.sources import SourceSchemaError, column_name, csv_records, utf8_text
from leanetl.lib.text import TEXT


def _cell_text(value: Any) -> Any:
    """Numbers as the sheet shows them (43831.0 -> '43831'); blanks as None."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def values_to_frame(
    values: list[list[Any]], first_row: int, source: str, required: Sequence[str] = ()
) -> pd.DataFrame:
    """A frame of text with ``source`` and ``source_row`` from raw worksheet rows.

    The first non-blank row is the header. The API drops trailing blank cells (rows come back
    shorter than the header) and returns blank rows as ``[]``: short rows are padded, blank rows
    skipped, and row numbers stay those of the sheet. Blank headers become ``column_<n>`` (they
    are kept so nothing typed under them is lost); repeated headers get ``_2``, ``_3``, except a
    ``required`` one, which is an error since either column could be the one meant.
    """
    header_at = next((i for i, row in enumerate(values) if any(_cell_text(c) for c in row)), None)
    if header_at is None:
        return pd.DataFrame(
            {"source": pd.Series(dtype=TEXT), "source_row": pd.Series(dtype="int64")}
        )
    header = [_cell_text(c) or "" for c in values[header_at]]
    while header and not header[-1]:
        header.pop()
    data = [(first_row + i, row) for i, row in enumerate(values) if i > header_at]
    width = max([len(header), *(len(row) for _, row in data)])
    names: list[str] = []
    for n in range(width):
        raw = header[n] if n < len(header) else ""
        name = column_name(raw) if raw else f"column_{n + 1}"
        if name in names and name in required:
            raise SourceSchemaError(
                f"{source}: column {name!r} appears more than once in the header row "
                f"{first_row + header_at}"
            )
        base, k = name, 2
        while name in names:
            name, k = f"{base}_{k}", k + 1
        names.append(name)
    records = [
        [_cell_text(row[n]) if n < len(row) else None for n in range(width)]
        for _, row in data
        if any(_cell_text(c) for c in row)
    ]
    rows = [number for number, row in data if any(_cell_text(c) for c in row)]
    frame = pd.DataFrame(records, columns=names, dtype=TEXT)
    frame["source"] = pd.Series(source, index=frame.index, dtype=TEXT)
    frame["source_row"] = pd.Series(rows, index=frame.index, dtype="int64")
    return frame


def read_export(name: str, data: bytes, required: Sequence[str] = ()) -> pd.DataFrame:
    """A CSV or JSON export of a sheet as a text frame with ``source`` and ``source_row``.

    JSON may be a list of records (``[{"company": ...}]``), a list of rows with the header
    first, or a Sheets API ValueRange (``{"values": [[...]]}``). Row numbers are those a person
    sees in the sheet (the header is row 1).
    """
    if name.lower().endswith(".json"):
        try:
            payload = json.loads(data.decode("utf-8-sig"))
        except ValueError as exc:
            raise SourceSchemaError(f"{name}: not valid JSON ({exc})") from None
        if (isinstance(payload, dict) and "values" in payload) or payload == {}:
            values = payload.get("values", [])
            if not isinstance(values, list) or not all(isinstance(r, list) for r in values):
                raise SourceSchemaError(
                    f'{name}: a ValueRange\'s "values" must be a list of rows (lists of cells)'
                )
            return values_to_frame(values, 1, name, required)
        if isinstance(payload, list) and all(isinstance(r, dict) for r in payload):
            header: list[str] = []
            for record in payload:
                header.extend(k for k in record if k not in header)
            rows = [header, *([record.get(k) for k in header] for record in payload)]
            return values_to_frame(rows if payload else [], 1, name, required)
        if isinstance(payload, list) and all(isinstance(r, list) for r in payload):
            return values_to_frame(payload, 1, name, required)
        raise SourceSchemaError(
            f"{name}: JSON must be a list of records, a list of rows or a ValueRange"
        )
    text = utf8_text(name, data, "the sheet")
    return values_to_frame([r for _, r in csv_records(name, text)], 1, name, required)
