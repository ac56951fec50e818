"""Chatfuel's wide contacts export → one attribute event per non-empty cell, streamed.

The export is one row per user and a column per attribute (1,700+, nearly all empty). Reading it
as a table builds every empty cell (850M for 500K users), so it is scanned as bytes instead, one
chunk of whole rows at a time (memory bounded by the chunk, never the file): numpy finds the
delimiters outside quotes, the non-empty fields, their row and column; only the non-empty cells
become values. RFC 4180 quoting: a quoted field may hold commas, newlines and ``""``; CRLF line
ends are read as LF (also inside quoted values).

What counts:
- a cell is **empty** when nothing is left after removing whitespace and invisible characters
  (zero-width space, joiners, word joiner, BOM, soft hyphen); any other value is loaded exactly
  as written (not trimmed);
- a row whose field count differs from the header's is quarantined (``line N``, the physical
  line where it starts), as is a row with a value whose quotes do not enclose it whole
  (``"Ann"x``, ``An"n``: RFC 4180 has no reading of it), a row without a user id and a row
  repeating an earlier row's user id (the first one is kept); blank lines are skipped;
- columns with a blank or repeated header (``export.layout_of``) are not loaded: one quarantine
  row per column with its count of non-empty cells;
- ``value_type`` is inferred per value: ``long`` (optional sign and digits), ``double`` (a
  decimal number, exponent allowed), ``boolean`` (``true``/``false``, any case), else
  ``string``.
A file that is not UTF-8, or whose quote never closes, is refused naming the source and the byte
or line.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from leanetl.lib.chatfuel.csv_fields import (
    Fields,
    field_values,
    misquoted,
    row_lines,
    row_text,
    scan_fields,
)
from leanetl.lib.chatfuel.export import (
    SYSTEM,
    ExportLayout,
    layout_of,
    parse_header,
    row_ends,
)
from leanetl.lib.sources import SourceSchemaError
from leanetl.lib.text import normalise_name

CHUNK_BYTES = 16 << 20
MAX_ROW_BYTES = 64 << 20
HEADER_PROBE_BYTES = 16 << 20
_BLANK = r"^[\s\x{200B}-\x{200D}\x{2060}\x{FEFF}\x{00AD}]*$"
_TYPES = (
    ("long", r"^[+-]?[0-9]+$"),
    ("double", r"^[+-]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)([eE][+-]?[0-9]+)?$"),
    ("boolean", r"(?i)^(true|false)$"),
)
EVENT_SCHEMA = pa.schema(
    [
        ("user_id", pa.string()),
        ("attribute", pa.dictionary(pa.int32(), pa.string())),
        ("value", pa.string()),
        ("value_type", pa.dictionary(pa.int8(), pa.string())),
    ]
)


@dataclass
class Unpivoted:
    layout: ExportLayout
    users: list[pa.Table] = field(default_factory=list)  # the system columns, one row per user
    quarantine: list[tuple[str, str, str]] = field(default_factory=list)  # locator, reason, raw
    rows: int = 0  # data rows read (quarantined ones too; blank lines not)
    events: int = 0
    unloaded_cells: dict[int, int] = field(default_factory=dict)  # column -> non-empty cells
    first_line: dict[str, int] = field(default_factory=dict)  # user id -> line it was read on


@dataclass
class _Chunk:
    """One chunk's rows: ``data`` starts at a row start and ends with a row's newline."""

    data: bytes
    first_line: int  # physical line number of its first row


def unpivot_export(
    stream: BinaryIO,
    source: str,
    write_events: Callable[[pa.Table], None],
    chunk_bytes: int = CHUNK_BYTES,
) -> Unpivoted:
    """Read the export from ``stream``; hand each chunk's events to ``write_events``."""
    head = stream.read(HEADER_PROBE_BYTES)
    headers, header_bytes = parse_header(head, source)
    result = Unpivoted(layout_of(headers, source))
    line = 1 + head[:header_bytes].count(b"\n")
    carry, offset = head[header_bytes:], header_bytes
    while True:
        block = stream.read(chunk_bytes)
        data = carry + block
        cut = _last_row_end(data)
        if not block:  # the end of the file: its last row may lack a newline
            if data[cut:].strip():
                if _quote_open(data[cut:]):
                    opens = line + data.count(b"\n", 0, cut)  # rows before it are not read yet
                    raise SourceSchemaError(f"{source}: line {opens}: a quoted value never closes")
                data, cut = data + b"\n", len(data) + 1
        elif cut == 0 and len(data) > MAX_ROW_BYTES:
            raise SourceSchemaError(
                f"{source}: line {line}: no row end in {len(data):,} bytes (a quote never closes?)"
            )
        if cut:
            _check_utf8(data[:cut], source, offset)
            _unpivot_chunk(_Chunk(data[:cut], line), result, source, write_events)
            line += data.count(b"\n", 0, cut)
            offset += cut
        carry = data[cut:]
        if not block:
            return result


def _check_utf8(data: bytes, source: str, offset: int) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceSchemaError(f"{source}: not UTF-8 text (byte {offset + exc.start})") from None


def _quote_open(data: bytes) -> bool:
    return data.count(b'"') % 2 == 1


def _last_row_end(data: bytes) -> int:
    """The byte after the last newline that is outside quotes (0 when there is none)."""
    ends = row_ends(data)
    return int(ends[-1]) + 1 if len(ends) else 0


def _value_types(values: pa.Array) -> pa.DictionaryArray:
    codes = np.full(len(values), len(_TYPES), dtype=np.int8)
    for code, (_, pattern) in enumerate(_TYPES):
        match = pc.match_substring_regex(values, pattern).to_numpy(zero_copy_only=False)
        codes[match & (codes == len(_TYPES))] = code
    names = pa.array([name for name, _ in _TYPES] + ["string"])
    return pa.DictionaryArray.from_arrays(pa.array(codes), names)


def _system_columns(
    fields: Fields, values: pa.Array, layout: ExportLayout, rows: int
) -> dict[str, np.ndarray]:
    """Per system field, each row's value (None when empty or absent)."""
    out = {}
    for name in SYSTEM:
        column = np.full(rows, None, dtype=object)
        index = layout.system.get(name)
        if index is not None:
            mine = fields.columns == index
            column[fields.rows[mine]] = values.filter(pa.array(mine)).to_numpy(zero_copy_only=False)
        out[name] = column
    # A user id as people's text compares (`` 1 `` and ``1`` are one user; see README).
    ids = out["user_id"]
    present = np.flatnonzero(ids != None)  # noqa: E711 - element-wise
    ids[present] = [normalise_name(v) or None for v in ids[present]]
    return out


def _accepted_users(
    data: bytes,
    newlines: np.ndarray,
    lines: np.ndarray,
    rows: np.ndarray,
    user_ids: np.ndarray,
    result: Unpivoted,
) -> np.ndarray:
    """Rows (of ``rows``) whose user id is present and not seen before; others quarantined."""
    accepted = np.zeros(len(lines), dtype=bool)
    for row in rows:
        user_id, line = user_ids[row], int(lines[row])
        if user_id is None:
            reason = "no user id"
        elif user_id in result.first_line:
            reason = f"user id {user_id!r} repeats line {result.first_line[user_id]}"
        else:
            result.first_line[user_id] = line
            accepted[row] = True
            continue
        result.quarantine.append((f"line {line}", reason, row_text(data, newlines, row)))
    return accepted


def _unpivot_chunk(
    chunk: _Chunk, result: Unpivoted, source: str, write_events: Callable[[pa.Table], None]
) -> None:
    data = chunk.data.replace(b"\r\n", b"\n") if b"\r" in chunk.data else chunk.data
    layout = result.layout
    buf, newlines, per_row, fields = scan_fields(data)
    lines = row_lines(buf, newlines, chunk.first_line)
    blank = np.diff(newlines) == 1
    ragged = (per_row != layout.width) & ~blank
    for row in np.flatnonzero(ragged):
        reason = f"{per_row[row]} fields, the header has {layout.width}"
        result.quarantine.append((f"line {lines[row]}", reason, row_text(data, newlines, row)))
    for row, column in misquoted(buf, fields, ragged):
        reason = f"column {column + 1}: quotes that do not enclose the whole value (RFC 4180)"
        result.quarantine.append((f"line {lines[row]}", reason, row_text(data, newlines, row)))
        ragged[row] = True  # refused like a ragged row: nothing of it is loaded
    result.rows += int((~blank).sum())
    values = field_values(buf, fields)
    kept = ~pc.match_substring_regex(values, _BLANK).to_numpy(zero_copy_only=False)
    kept &= ~ragged[fields.rows]
    fields, values = fields.take(kept), values.filter(pa.array(kept))
    system = _system_columns(fields, values, layout, len(per_row))
    candidates = np.flatnonzero(~blank & ~ragged)
    accepted = _accepted_users(data, newlines, lines, candidates, system["user_id"], result)
    codes = _attribute_codes(layout)[fields.columns]
    unloaded = np.isin(fields.columns, list(layout.unloaded)) & accepted[fields.rows]
    for column, count in zip(*np.unique(fields.columns[unloaded], return_counts=True), strict=True):
        result.unloaded_cells[int(column)] = result.unloaded_cells.get(int(column), 0) + int(count)
    loaded = (codes >= 0) & accepted[fields.rows]
    if accepted.any():
        result.users.append(
            pa.table({name: pa.array(system[name][accepted], pa.string()) for name in SYSTEM})
        )
    if loaded.any():
        user_ids = pa.array(system["user_id"], pa.string())
        values = values.filter(pa.array(loaded))
        events = pa.table(
            {
                "user_id": user_ids.take(pa.array(fields.rows[loaded])),
                "attribute": pa.DictionaryArray.from_arrays(
                    pa.array(codes[loaded]), pa.array(list(layout.attributes.values()))
                ),
                "value": values,
                "value_type": _value_types(values),
            }
        )
        result.events += events.num_rows
        write_events(events)


def _attribute_codes(layout: ExportLayout) -> np.ndarray:
    """Column index -> position of its attribute in ``layout.attributes`` (-1: not one)."""
    codes = np.full(layout.width, -1, dtype=np.int32)
    for code, column in enumerate(layout.attributes):
        codes[column] = code
    return codes


def attribute_names(result: Unpivoted) -> list[str]:
    return list(result.layout.attributes.values())
