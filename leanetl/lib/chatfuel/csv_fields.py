"""The fields of a chunk of RFC 4180 CSV as numpy arrays: where each non-empty field starts and
ends, its row and column, its text unquoted; rows whose quotes do not enclose a value whole."""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from leanetl.lib.chatfuel.export import NEWLINE, QUOTE, outside_quotes

COMMA = 0x2C


@dataclass
class Fields:
    """The chunk's non-empty fields: byte ranges in ``buf``, row (0-based) and column."""

    starts: np.ndarray
    ends: np.ndarray
    rows: np.ndarray
    columns: np.ndarray

    def take(self, keep: np.ndarray) -> "Fields":
        return Fields(self.starts[keep], self.ends[keep], self.rows[keep], self.columns[keep])


def scan_fields(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray, Fields]:
    """(bytes with a leading newline, row start offsets, fields per row, non-empty fields)."""
    buf = np.frombuffer(b"\n" + data, dtype=np.uint8)
    delim = (buf == COMMA) | (buf == NEWLINE)
    outside = outside_quotes(buf)
    if outside is not None:
        delim &= outside
    newlines = np.flatnonzero(delim & (buf == NEWLINE))  # [0] is the leading one
    counted = np.cumsum(delim, dtype=np.int32)
    per_row = np.diff(counted[newlines])
    starts = np.flatnonzero(~delim[1:] & delim[:-1]) + 1
    ends = np.flatnonzero(delim[1:] & ~delim[:-1]) + 1
    rows = np.searchsorted(newlines, starts) - 1
    columns = counted[starts - 1] - counted[newlines[rows]]
    return buf, newlines, per_row, Fields(starts, ends, rows, columns)


def field_values(buf: np.ndarray, fields: Fields) -> pa.StringArray:
    """The fields' text, unquoted."""
    lengths = (fields.ends - fields.starts).astype(np.int64)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    gather = np.repeat(fields.starts - offsets[:-1], lengths) + np.arange(offsets[-1])
    values = pa.LargeStringArray.from_buffers(
        len(lengths), pa.py_buffer(offsets), pa.py_buffer(buf[gather].tobytes())
    ).cast(pa.string())
    quoted = buf[fields.starts] == QUOTE
    if quoted.any():
        raw = values.filter(pa.array(quoted)).to_pylist()
        plain = [text[1:-1].replace('""', '"') for text in raw]
        values = pc.replace_with_mask(values, pa.array(quoted), pa.array(plain, pa.string()))
    return values


def misquoted(buf: np.ndarray, fields: Fields, refused: np.ndarray) -> list[tuple[int, int]]:
    """(row, column) of the first field per row whose quotes do not enclose it whole as RFC
    4180 says (``"Ann"x``, ``An"n``): read any way, such a value would be a guess."""
    quotes = np.cumsum(buf == QUOTE, dtype=np.int64)
    inside = quotes[fields.ends - 1] - quotes[fields.starts - 1]
    out: dict[int, int] = {}
    for i in np.flatnonzero(inside > 0):
        row = int(fields.rows[i])
        if refused[row] or row in out:
            continue
        raw = buf[fields.starts[i] : fields.ends[i]].tobytes()
        enclosed = len(raw) > 1 and raw[0] == raw[-1] == QUOTE
        if not enclosed or b'"' in raw[1:-1].replace(b'""', b""):
            out[row] = int(fields.columns[i])
    return list(out.items())


def row_text(data: bytes, newlines: np.ndarray, row: int) -> str:
    # newlines index the data with a leading newline: row r is data[newlines[r]:newlines[r+1]-1]
    return data[newlines[row] : newlines[row + 1] - 1].decode()[:2000]


def row_lines(buf: np.ndarray, newlines: np.ndarray, first_line: int) -> np.ndarray:
    """The physical line each row starts on (quoted newlines count as lines)."""
    every = np.flatnonzero(buf == NEWLINE)
    return first_line + np.searchsorted(every, newlines[:-1])
