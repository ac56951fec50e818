"""The records of one Firehose object, as Firehose writes them.

An object holds Segment payloads (JSON objects) either separated by a newline (Segment's Firehose
destination appends one) or written back to back (``…}{…}``, Firehose's default), possibly both,
optionally GZIP-compressed (told by its magic bytes, not its name). Records are split by a JSON
parser (orjson), never by a pattern, so braces and quotes inside strings are data; memory is
bounded by one object. A record that is not JSON, or not an object, is dead-lettered with its byte
offset and the parser's reason, and parsing resumes at the next line or ``}{`` boundary; a corrupt
GZIP stream or bytes that are not UTF-8 dead-letter the whole object.
"""

import gzip
import zlib
from dataclasses import dataclass, field
from typing import Any

import orjson

GZIP_MAGIC = b"\x1f\x8b"
WHITESPACE = b" \t\r\n"


@dataclass(frozen=True)
class DeadLetter:
    offset: int  # byte offset of the record in the (decompressed) object
    reason: str
    raw: str  # the record's text, at most 2,000 characters


@dataclass
class ObjectRecords:
    records: list[dict[str, Any]] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)  # byte offset of each record
    dead_letters: list[DeadLetter] = field(default_factory=list)
    whole_object_error: str | None = None  # set when nothing in the object could be read
    compressed: bool = False
    size: int = 0  # bytes after decompression


def _payload(data: bytes) -> tuple[bytes | None, str | None, bool]:
    """(bytes to parse, why the object is unreadable, compressed?)."""
    compressed = data[:2] == GZIP_MAGIC
    if compressed:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            return None, f"corrupt GZIP object: {exc}", True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text (byte {exc.start})", compressed
    return data, None, compressed


def _skip_whitespace(data: bytes, pos: int) -> int:
    while pos < len(data) and data[pos] in WHITESPACE:
        pos += 1
    return pos


def _resume_at(data: bytes, start: int) -> int:
    """Where to look for the next record after a malformed one: the next line, or the next
    ``}{`` boundary, whichever comes first (the end if neither)."""
    candidates = [i + 1 for i in (data.find(b"\n", start), data.find(b"}{", start)) if i >= 0]
    return min(candidates) if candidates else len(data)


def parse_object(data: bytes) -> ObjectRecords:
    """Every record of one Firehose object (see the module's docstring)."""
    payload, error, compressed = _payload(data)
    result = ObjectRecords(compressed=compressed, size=len(payload or b""))
    if payload is None:
        result.whole_object_error = error
        return result
    view = memoryview(payload)
    pos = _skip_whitespace(payload, 0)
    while pos < len(payload):
        end = len(payload)
        try:
            value = orjson.loads(view[pos:])
        except orjson.JSONDecodeError as exc:
            if exc.msg != "unexpected content after document":
                nxt = _resume_at(payload, pos + 1)
                raw = payload[pos:nxt].decode("utf-8", "replace").strip()[:2000]
                result.dead_letters.append(DeadLetter(pos, f"not JSON: {exc.msg}", raw))
                pos = _skip_whitespace(payload, nxt)
                continue
            end = pos + exc.pos  # the next document starts here
            value = orjson.loads(view[pos:end])
        if isinstance(value, dict):
            result.records.append(value)
            result.offsets.append(pos)
        else:
            raw = payload[pos:end].decode("utf-8", "replace").strip()[:2000]
            kind = type(value).__name__
            result.dead_letters.append(DeadLetter(pos, f"a JSON {kind}, not an object", raw))
        pos = _skip_whitespace(payload, end)
    return result
