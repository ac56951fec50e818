"""The records of one Firehose object, as Firehose writes them.

An object holds Segment payloads (JSON objects) either separated by a newline (Segment's Firehose
destination appends one) or written back to back (``…}{…}``, Firehose's default), possibly both,
optionally GZIP-compressed (told by its magic bytes, not its name; inflated in pieces, and an
object that would inflate past ``max_bytes`` (setting ``LEANETL_WEB_EVENTS_MAX_OBJECT_MB``) is
dead-lettered whole, its memory never spent). Records are split by a JSON
parser (orjson), never by a pattern, so braces and quotes inside strings are data; memory is
bounded by one object, and time is linear in it whatever it holds. A record that is not JSON, or
not an object, is dead-lettered with its byte offset and the parser's reason, and parsing resumes
at the next line or ``}{`` boundary; a corrupt GZIP stream or bytes that are not UTF-8
dead-letter the whole object.
"""

import json
import zlib
from dataclasses import dataclass, field
from typing import Any

import orjson

GZIP_MAGIC = b"\x1f\x8b"
MAX_OBJECT_BYTES = 512 * 1024 * 1024


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


def _inflate(data: bytes, max_bytes: int) -> bytes:
    """A GZIP stream (members back to back, as ``gzip.decompress`` reads them) inflated in
    pieces, refusing to grow past ``max_bytes`` (a small object can inflate to gigabytes)."""
    out, size = [], 0
    while data:
        inflater = zlib.decompressobj(wbits=31)
        pending = data
        while pending:
            piece = inflater.decompress(pending, 1 << 20)
            size += len(piece)
            if size > max_bytes:
                raise OverflowError(f"inflates past {max_bytes:,} bytes")
            out.append(piece)
            pending = inflater.unconsumed_tail
            if inflater.eof:
                break
        if not inflater.eof:
            raise EOFError("compressed stream ended early")
        data = inflater.unused_data.lstrip(b"\x00")
    return b"".join(out)


def _payload(data: bytes, max_bytes: int) -> tuple[bytes | None, str | None, bool]:
    """(bytes to parse, why the object is unreadable, compressed?)."""
    compressed = data[:2] == GZIP_MAGIC
    if compressed:
        try:
            data = _inflate(data, max_bytes)
        except OverflowError as exc:
            return None, f"GZIP object too large: {exc} (LEANETL_WEB_EVENTS_MAX_OBJECT_MB)", True
        except (OSError, EOFError, zlib.error) as exc:
            return None, f"corrupt GZIP object: {exc}", True
    elif len(data) > max_bytes:
        return (
            None,
            f"object too large: {len(data):,} bytes (LEANETL_WEB_EVENTS_MAX_OBJECT_MB)",
            False,
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text (byte {exc.start})", compressed
    return data, None, compressed


class _Line:
    """One line of text and the byte offsets of its characters, walked forward only: the offset
    of a character is counted from the last one asked for, so a line costs one pass."""

    def __init__(self, text: str, base: int) -> None:
        self.text, self._char, self._byte = text, 0, base
        self._ascii = text.isascii()

    def byte_at(self, index: int) -> int:
        if self._ascii:
            return self._byte + index - self._char
        self._byte += len(self.text[self._char : index].encode())
        self._char = index
        return self._byte


def _parse_line(line: _Line, result: "ObjectRecords", decoder: json.JSONDecoder) -> None:
    """Every record of one line that is not one record: records written back to back are split
    at ``}{`` and each piece parsed by orjson; a piece that does not parse is read exactly from
    its start (``}{`` inside a string is data); a stretch that is no record is a dead letter
    (with its byte offset) and reading resumes at the next ``}{``. Each step moves forward past
    what it read, so the time is linear in the line (a malformed record does not make every
    later piece be parsed again)."""
    text, index = line.text, 0
    while True:
        index = _skip_spaces(text, index)
        if index >= len(text):
            return
        boundary = text.find("}{", index)
        end = len(text) if boundary < 0 else boundary + 1
        piece = text[index:end]
        try:
            value = orjson.loads(piece)
        except orjson.JSONDecodeError:
            value, end = _read_exact(line, index, result, decoder)
            if value is _NOT_A_RECORD:
                index = end
                continue
            piece = text[index:end]
        _keep(result, value, line.byte_at(index), piece)
        index = end


_NOT_A_RECORD = object()


def _read_exact(
    line: _Line, index: int, result: "ObjectRecords", decoder: json.JSONDecoder
) -> tuple[Any, int]:
    """(the value that starts at ``index``, where it ends), or a dead letter up to the next
    ``}{`` and ``_NOT_A_RECORD``."""
    text = line.text
    try:
        return decoder.raw_decode(text, index)
    except (json.JSONDecodeError, RecursionError) as exc:
        why = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deep"
    nxt = text.find("}{", index + 1)
    end = len(text) if nxt < 0 else nxt + 1
    raw = text[index:end].strip()[:2000]
    result.dead_letters.append(DeadLetter(line.byte_at(index), f"not JSON: {why}", raw))
    return _NOT_A_RECORD, end


def _skip_spaces(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _keep(result: "ObjectRecords", value: Any, offset: int, raw: str | bytes) -> None:
    if isinstance(value, dict):
        result.records.append(value)
        result.offsets.append(offset)
        return
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    kind = type(value).__name__
    result.dead_letters.append(
        DeadLetter(offset, f"a JSON {kind}, not an object", text.strip()[:2000])
    )


def parse_object(data: bytes, max_bytes: int = MAX_OBJECT_BYTES) -> ObjectRecords:
    """Every record of one Firehose object (see the module's docstring): each line parsed whole
    by orjson (newline-separated records), split at ``}{`` when it holds several, and walked
    exactly only when neither works (a malformed record)."""
    payload, error, compressed = _payload(data, max_bytes)
    result = ObjectRecords(compressed=compressed, size=len(payload or b""))
    if payload is None:
        result.whole_object_error = error
        return result
    decoder = json.JSONDecoder()
    base = 0
    for line in payload.split(b"\n"):
        offset, body = base, line.strip()
        base += len(line) + 1
        if not body:
            continue
        offset += len(line) - len(line.lstrip())
        try:
            _keep(result, orjson.loads(body), offset, body)
        except orjson.JSONDecodeError:
            _parse_line(_Line(body.decode("utf-8"), offset), result, decoder)
    return result
