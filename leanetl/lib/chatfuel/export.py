"""The layout of a Chatfuel contacts export: which columns are the system fields, which are
attributes, and which cannot be loaded (blank or repeated headers).

One row per user. The system columns are matched after ``lib.sources.column_name`` (NFKC,
case- and space-insensitive, any run of other characters as ``_``), by leanetl's names or
Chatfuel's own spellings: ``user_id`` (``chatfuel user id``, ``user id``, ``id``), ``first_name``,
``last_name``, ``signed_up`` (``signed up``, ``signed up at``, ``created at``), ``last_seen``
(``last seen``, ``last interaction``, ``last activity``), ``status`` (``status``,
``subscription status``). Every other column is an attribute, named by its header after
``lib.text.normalise_name`` (NFKC, invisible characters removed, spaces collapsed, trimmed).
A header that is blank after that, or that repeats an earlier attribute's name, is not loaded:
its non-empty cells are counted in the quarantine (one row per column).
"""

import csv
import io
from dataclasses import dataclass, field

from leanetl.lib.sources import SourceSchemaError, column_name
from leanetl.lib.text import normalise_name

SYSTEM_ALIASES = {
    "user_id": ("user_id", "chatfuel_user_id", "id"),
    "first_name": ("first_name",),
    "last_name": ("last_name",),
    "signed_up": ("signed_up", "signed_up_at", "created_at"),
    "last_seen": ("last_seen", "last_interaction", "last_activity"),
    "status": ("status", "subscription_status"),
}
SYSTEM = tuple(SYSTEM_ALIASES)
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


def header_end(data: bytes) -> int:
    """The byte just after the header row's line end (a quoted newline belongs to a header)."""
    quoted = False
    for index, byte in enumerate(data):
        if byte == 0x22:
            quoted = not quoted
        elif byte == 0x0A and not quoted:
            return index + 1
    return -1


def parse_header(data: bytes, source: str) -> tuple[list[str], int]:
    """(the header's fields, the bytes the header row takes, a BOM included) from the file's
    first bytes."""
    end = header_end(data)
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
