"""The layout of a Chatfuel contacts export: which columns are the system fields, which are
attributes, and which cannot be loaded (blank or repeated headers).

One row per user. The system columns are matched after ``lib.sources.column_name`` (NFKC,
case- and space-insensitive, any run of other characters as ``_``), by leanetl's names or
Chatfuel's own spellings: ``user_id`` (``chatfuel user id``, ``user id``, ``id``), ``first_name``,
``last_name``, ``signed_up`` (``signed up``, ``signed up at``, ``created at``), ``last_seen``
(``last seen``, ``last interaction``, ``last activity``), ``status`` (``status``,
``subscription status``), ``platform`` (``platform``, ``channel``). Every other column is an
attribute, named by its header after ``lib.text.normalise_name`` (NFKC, invisible characters removed, spaces collapsed, trimmed).
A header that is blank after that, or that repeats an earlier attribute's name, is not loaded:
its non-empty cells are counted in the quarantine (one row per column).
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np

from leanetl.lib.sources import SourceSchemaError, column_name
from leanetl.lib.text import normalise_name

SYSTEM_ALIASES = {
    "user_id": ("user_id", "chatfuel_user_id", "id"),
    "first_name": ("first_name",),
    "last_name": ("last_name",),
    "signed_up": ("signed_up", "signed_up_at", "created_at"),
    "last_seen": ("last_seen", "last_interaction", "last_activity"),
    "status": ("status", "subscription_status"),
    "platform": ("platform", "channel"),
}
SYSTEM = tuple(SYSTEM_ALIASES)
NEWLINE, QUOTE = 0x0A, 0x22
_ALIAS = {alias: name for name, aliases in SYSTEM_ALIASES.items() for alias in aliases}


@dataclass
class ExportLayout:
    headers: list[str]  # as in the file
    system: dict[str, int] = field(default_factory=dict)  # system field -> column index
    attributes: dict[int, str] = field(default_factory=dict)  # column index -> attribute name
    unloaded: dict[int, str] = field(default_factory=dict)  # column index -> why not loaded

    @property
    def width(self) -> int:
        return len(self.headers)


def layout_of(headers: list[str], source: str) -> ExportLayout:
    """Classify the header row's columns; an error naming ``source`` without a user id column."""
    layout = ExportLayout(headers)
    first_with: dict[str, int] = {}
    for index, header in enumerate(headers):
        system = _ALIAS.get(column_name(header))
        if system and system not in layout.system:
            layout.system[system] = index
            continue
        name = normalise_name(header)
        if not name:
            layout.unloaded[index] = f"column {index + 1} has a blank header"
        elif name in first_with:
            layout.unloaded[index] = (
                f"column {index + 1} repeats the header {name!r} of column {first_with[name] + 1}"
            )
        else:
            first_with[name] = index
            layout.attributes[index] = name
    if "user_id" not in layout.system:
        raise SourceSchemaError(
            f"{source}: no user id column (one of {', '.join(SYSTEM_ALIASES['user_id'])}; "
            f"first headers: {headers[:8]})"
        )
    return layout


def outside_quotes(buf: np.ndarray) -> np.ndarray | None:
    """Per byte, True where it is outside quotes (None when there is no quote at all)."""
    quote = buf == QUOTE
    if not quote.any():
        return None
    # Parity of the quotes so far (uint8 wraps at 256, which keeps the parity).
    return (np.cumsum(quote, dtype=np.uint8) & 1) == 0


def row_ends(data: bytes) -> np.ndarray:
    """Positions of the newlines that end rows (outside quotes) in ``data``, which starts at a
    row's start."""
    buf = np.frombuffer(data, dtype=np.uint8)
    newline = buf == NEWLINE
    outside = outside_quotes(buf)
    if outside is not None:
        newline &= outside
    return np.flatnonzero(newline)


def parse_header(data: bytes, source: str) -> tuple[list[str], int]:
    """(the header's fields, the bytes the header row takes, a BOM included) from the file's
    first bytes."""
    ends = row_ends(data)
    end = int(ends[0]) + 1 if len(ends) else -1
    if end < 0:
        raise SourceSchemaError(f"{source}: no complete header row in the first {len(data)} bytes")
    try:
        text = data[:end].decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceSchemaError(f"{source}: not UTF-8 text (byte {exc.start})") from None
    try:
        return next(csv.reader(io.StringIO(text, newline=""), strict=True)), end
    except csv.Error as exc:
        raise SourceSchemaError(f"{source}: line 1 (the header): {exc}") from None


def write_contacts_csv(pages: Iterable[Iterable[Any]], names: list[str], handle: TextIO) -> int:
    """Contacts read page by page from the API (``clients.chatfuel.ContactRow``) written as a
    contacts export: ``user id`` then one column per attribute name; the rows written."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["user id", *names])
    rows = 0
    for page in pages:
        for contact in page:
            writer.writerow([contact.id, *(contact.values.get(n, "") for n in names)])
            rows += 1
    return rows
