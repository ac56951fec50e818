"""Table and column names from event names and property keys (data values).

Segment's warehouse convention: names are snake_cased (``Post Created`` → ``post_created``,
``accountType`` → ``account_type``). A name is only ever ``[a-z][a-z0-9_]{0,59}``: other characters
become ``_``, a leading digit gets ``e_``, and an empty result is ``unnamed``. Reserved table names
(the tables every source has) get ``event_`` in front (``Pages`` → ``event_pages``). When two
different originals give the same name (originals compared after NFKC normalisation, with
invisible characters removed and runs of spaces collapsed: ``Post\u200bCreated`` is
``PostCreated``, ``Post  Created`` is ``Post Created``), the first one seen keeps it and each later one gets
``_`` + 6 hex digits of its SHA-1 — stable, because the assignments are kept in a registry that
every run reads and extends (they are recorded in the run's metadata too).
"""

import hashlib
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field

from leanetl.lib.text import normalise_name

RESERVED_TABLES = frozenset(
    {"tracks", "identifies", "pages", "screens", "groups", "aliases", "users"}
)
MAX_NAME = 60
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_OTHER = re.compile(r"[^a-z0-9]+")


def snake_case(name: str) -> str:
    """``Post Created`` → ``post_created``, ``accountType`` → ``account_type`` (always a safe
    identifier: see the module's docstring)."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = _OTHER.sub("_", _CAMEL.sub("_", text).lower()).strip("_")
    if not text:
        return "unnamed"
    if text[0].isdigit():
        text = f"e_{text}"
    return text[:MAX_NAME].rstrip("_")


def _distinct(base: str, original: str) -> str:
    digest = hashlib.sha1(original.encode()).hexdigest()[:6]
    return f"{base[: MAX_NAME - 7]}_{digest}"


@dataclass
class NameRegistry:
    """Original → name, per table for columns; extended, never changed."""

    tables: dict[str, str] = field(default_factory=dict)  # event name -> table
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> path -> column
    renamed: dict[str, str] = field(default_factory=dict)  # what got a distinct name this run
    # Originals as sent -> names, so each spelling is normalised once per run.
    _seen_tables: dict[str, str] = field(default_factory=dict, repr=False)
    _seen_columns: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    def table_for(self, event: str) -> str:
        name = self._seen_tables.get(event)
        if name is None:
            name = self._seen_tables[event] = self._table_for(normalise_name(event))
        return name

    def _table_for(self, event: str) -> str:
        if event not in self.tables:
            base = snake_case(event)
            if base in RESERVED_TABLES:
                base = f"event_{base}"
            taken = set(self.tables.values())
            name = _distinct(base, event) if base in taken else base
            self.tables[event] = name
            if name != base:
                self.renamed[f"event {event!r}"] = name
        return self.tables[event]

    def column_for(self, table: str, path: str, row_columns: Collection[str]) -> str:
        """The column of a property path in a table; a new name avoids the names the table
        already has and the row's other columns (``row_columns``)."""
        name = self._seen_columns.get((table, path))
        if name is None:
            name = self._column_for(table, normalise_name(path), row_columns)
            self._seen_columns[(table, path)] = name
        return name

    def _column_for(self, table: str, path: str, row_columns: Collection[str]) -> str:
        known = self.columns.setdefault(table, {})
        if path not in known:
            base = snake_case(path)
            taken = set(known.values()).union(row_columns)
            name = _distinct(base, path) if base in taken else base
            known[path] = name
            if name != base:
                self.renamed[f"{table}.{path}"] = name
        return known[path]

    def merge(self, stored: "NameRegistry") -> None:
        """Take in what another run stored since this one read the registry (runs of different
        days may transform at once). Raises ``NameConflict`` when an original got two names or a
        name two originals: the run then fails before writing anything under those names, and
        its retry starts from the stored registry."""
        self.tables = _merged(self.tables, stored.tables, "event names")
        for table in stored.columns.keys() | self.columns.keys():
            ours, theirs = self.columns.get(table, {}), stored.columns.get(table, {})
            self.columns[table] = _merged(ours, theirs, f"properties of {table}")

    def to_json(self) -> dict[str, object]:
        return {"tables": self.tables, "columns": self.columns}

    @classmethod
    def from_json(cls, data: dict[str, object] | None) -> "NameRegistry":
        data = data or {}
        return cls(
            dict(data.get("tables", {})), {k: dict(v) for k, v in data.get("columns", {}).items()}
        )


class NameConflict(RuntimeError):
    """Two runs gave the same name to different originals (or one original two names)."""


def _merged(ours: dict[str, str], theirs: dict[str, str], what: str) -> dict[str, str]:
    merged = dict(theirs)
    for original, name in ours.items():
        if merged.setdefault(original, name) != name:
            raise NameConflict(
                f"{what}: {original!r} is {theirs[original]!r} in names.json, {name!r} here"
            )
    if len(set(merged.values())) < len(merged):
        clash = sorted(n for n in set(merged.values()) if list(merged.values()).count(n) > 1)
        raise NameConflict(
            f"{what}: another run gave {clash} to other originals; retry to reassign"
        )
    return merged
