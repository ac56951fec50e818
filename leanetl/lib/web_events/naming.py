"""Table and column names from event names and property keys (data values).

Segment's warehouse convention: names are snake_cased (``Post Created`` → ``post_created``,
``accountType`` → ``account_type``). A name is only ever ``[a-z][a-z0-9_]{0,59}``: other characters
become ``_``, a leading digit gets ``e_``, and an empty result is ``unnamed``. Reserved table names
(the tables every source has) get ``event_`` in front (``Pages`` → ``event_pages``). When two
different originals give the same name (originals compared after NFKC normalisation, with
invisible characters removed and runs of spaces collapsed: ``Post\u200bCreated`` is
``PostCreated``, ``Post  Created`` is ``Post Created``), the first one seen keeps it and each later one gets
``_`` + 6 hex digits of its SHA-1 (more digits while that is taken too) — stable, because the
assignments are kept in a registry that every run reads and extends (they are recorded in the
run's metadata too).

Columns are named per table from source paths: ``("context", "page", "path")`` or
``("properties", "a", "b")`` (the root, then each key). Every distinct path gets its own column,
distinct from the table's fixed columns: ``{"a": {"b": 1}, "a_b": 2}`` is two columns, a property
``context_foo`` and the context's ``foo`` are two columns. In ``names.json`` a path is a key: a
top-level property as itself (``"plan"``), anything else as JSON (``["a","b"]``; the context's
paths start with ``null``). Registries written before paths were kept apart (no ``version``)
keyed nested paths by their joined name; those entries are ``legacy_columns``, and the first path
whose joined name matches one takes its column.
"""

import hashlib
import json
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field

from leanetl.lib.text import normalise_name

OVERFLOW_TABLE = "other_events"  # track events beyond the limit of event tables
RESERVED_TABLES = frozenset(
    {"tracks", "identifies", "pages", "screens", "groups", "aliases", "users", OVERFLOW_TABLE}
)
MAX_EVENT_TABLES = 500
MAX_NAME = 60
PARTITION_COLUMNS = frozenset({"dt"})  # every table's files are partitioned by it (hive)
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


def _distinct(base: str, original: str, taken: Collection[str]) -> str:
    """``base`` when free, else ``base`` + ``_`` + hex of the original's SHA-1: 6 digits, more
    while that name is taken too (an original may itself be spelt ``foo_<hex>``)."""
    if base not in taken:
        return base
    digest = hashlib.sha1(original.encode()).hexdigest()
    for width in range(6, len(digest) + 1, 2):
        name = f"{base[: MAX_NAME - width - 1]}_{digest[:width]}"
        if name not in taken:
            return name
    raise NameConflict(f"no free name for {original!r} beside {base!r}")


Path = tuple[str, ...]
CONTEXT = "context"


def path_key(path: Path) -> str:
    """A source path as its key in ``names.json`` (see the module's docstring)."""
    root, keys = path[0], list(path[1:])
    if root == CONTEXT:
        return json.dumps([None, *keys], ensure_ascii=False)
    if len(keys) == 1 and not keys[0].startswith("["):
        return keys[0]
    return json.dumps(keys, ensure_ascii=False)


def _column_base(path: Path) -> str:
    keys = path if path[0] == CONTEXT else path[1:]
    return snake_case("_".join(keys))


@dataclass
class NameRegistry:
    """Original → name, per table for columns; extended, never changed."""

    tables: dict[str, str] = field(default_factory=dict)  # event name -> table
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> path key -> column
    # table -> joined path -> column, from a registry of before paths were kept apart
    legacy_columns: dict[str, dict[str, str]] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)  # what got a distinct name this run
    # Event names beyond this many tables share OVERFLOW_TABLE (setting, not stored).
    max_event_tables: int = MAX_EVENT_TABLES
    # Originals as sent -> names, so each spelling is normalised once per run.
    _seen_tables: dict[str, str] = field(default_factory=dict, repr=False)
    _seen_columns: dict[str, dict[Path, str]] = field(default_factory=dict, repr=False)
    # When a list: every name asked for the first time, with its answer, in order (a worker
    # process records them; ``replay`` asks the same of the registry the day's run keeps).
    asked: list[tuple] | None = field(default=None, repr=False)

    def table_for(self, event: str) -> str:
        name = self._seen_tables.get(event)
        if name is None:
            name = self._seen_tables[event] = self._table_for(normalise_name(event))
            if self.asked is not None:
                self.asked.append((event, name))
        return name

    def _table_for(self, event: str) -> str:
        if event not in self.tables and self._event_tables() >= self.max_event_tables:
            self.tables[event] = OVERFLOW_TABLE
            self.renamed[f"event {event!r}"] = OVERFLOW_TABLE
        if event not in self.tables:
            base = snake_case(event)
            if base in RESERVED_TABLES:
                base = f"event_{base}"
            name = _distinct(base, event, set(self.tables.values()))
            self.tables[event] = name
            if name != base:
                self.renamed[f"event {event!r}"] = name
        return self.tables[event]

    def _event_tables(self) -> int:
        return len(set(self.tables.values()) - {OVERFLOW_TABLE})

    def column_for(self, table: str, path: Path, fixed: Collection[str]) -> str:
        """The column of a source path in a table; a new name avoids the table's other columns
        and its ``fixed`` ones (the columns every row of the table has)."""
        seen = self.seen_columns(table)
        name = seen.get(path)
        if name is None:
            normalised = tuple(normalise_name(key) for key in path)
            name = seen[path] = self._column_for(table, normalised, fixed)
            if self.asked is not None:
                self.asked.append((table, path, tuple(fixed), name))
        return name

    def replay(self, asked: list[tuple]) -> bool:
        """Ask this registry what another one was asked (``asked``, in order): True when every
        answer is the same, so whatever was named there is named as here. It stops at the first
        answer that differs (what it asked before stays assigned, as it would have been)."""
        for question in asked:
            if len(question) == 2:
                event, name = question
                if self.table_for(event) != name:
                    return False
            else:
                table, path, fixed, name = question
                if self.column_for(table, path, fixed) != name:
                    return False
        return True

    def seen_columns(self, table: str) -> dict[Path, str]:
        """The paths (as sent) of ``table`` named so far this run: a cache for the hot loop."""
        return self._seen_columns.setdefault(table, {})

    def _column_for(self, table: str, path: Path, fixed: Collection[str]) -> str:
        known, key = self.columns.setdefault(table, {}), path_key(path)
        if key not in known:
            legacy = self.legacy_columns.get(table, {})
            joined = "_".join(path[1:])
            if path[0] != CONTEXT and joined in legacy:
                known[key] = legacy.pop(joined)
                return known[key]
            base = _column_base(path)
            taken = set(known.values()).union(legacy.values(), fixed, PARTITION_COLUMNS)
            known[key] = _distinct(base, key, taken)
            if known[key] != base:
                self.renamed[f"{table}.{key}"] = known[key]
        return known[key]

    def merge(self, stored: "NameRegistry") -> None:
        """Take in what another run stored since this one read the registry (runs of different
        days may transform at once). Raises ``NameConflict`` when an original got two names or a
        name two originals: the run then fails before writing anything under those names, and
        its retry starts from the stored registry."""
        self.tables = _merged(self.tables, stored.tables, "event names", {OVERFLOW_TABLE})
        for table in stored.columns.keys() | self.columns.keys():
            ours, theirs = self.columns.get(table, {}), stored.columns.get(table, {})
            self.columns[table] = _merged(ours, theirs, f"properties of {table}")
        for table in stored.legacy_columns.keys() | self.legacy_columns.keys():
            # Still unclaimed only where neither run claimed it.
            claimed = set(self.columns.get(table, {}).values())
            left = (
                stored.legacy_columns.get(table, {}).items()
                & self.legacy_columns.get(table, {}).items()
            )
            self.legacy_columns[table] = {j: c for j, c in left if c not in claimed}

    def to_json(self) -> dict[str, object]:
        return {
            "version": 2,
            "tables": self.tables,
            "columns": self.columns,
            "legacy_columns": {t: c for t, c in self.legacy_columns.items() if c},
        }

    @classmethod
    def from_json(
        cls, data: dict[str, object] | None, max_event_tables: int = MAX_EVENT_TABLES
    ) -> "NameRegistry":
        data = data or {}
        tables = dict(data.get("tables", {}))
        columns = {k: dict(v) for k, v in data.get("columns", {}).items()}
        legacy = {k: dict(v) for k, v in data.get("legacy_columns", {}).items()}
        if data.get("version") is None:  # before paths were kept apart: every key is joined
            columns, legacy = {}, columns
        return cls(tables, columns, legacy, max_event_tables=max_event_tables)


class NameConflict(RuntimeError):
    """Two runs gave the same name to different originals (or one original two names)."""


def _merged(
    ours: dict[str, str], theirs: dict[str, str], what: str, shared: frozenset | set = frozenset()
) -> dict[str, str]:
    """Both runs' assignments; names in ``shared`` may be given to many originals."""
    merged = dict(theirs)
    for original, name in ours.items():
        if merged.setdefault(original, name) != name:
            raise NameConflict(
                f"{what}: {original!r} is {theirs[original]!r} in names.json, {name!r} here"
            )
    own = [name for name in merged.values() if name not in shared]
    if len(set(own)) < len(own):
        clash = sorted(n for n in set(own) if own.count(n) > 1)
        raise NameConflict(
            f"{what}: another run gave {clash} to other originals; retry to reassign"
        )
    return merged
