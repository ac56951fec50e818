"""One arrival day's pending Firehose objects → Parquet per table and dead letters in the lake,
each object recorded in the day's manifest as soon as its outputs are written (a run that stops
half-way resumes where it stopped)."""

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from leanetl.lib.keys import UnsafeKeyError
from leanetl.lib.parquet import table_to_parquet_bytes
from leanetl.lib.stores import Objects
from leanetl.lib.web_events.lake import NAMES, errors_key, manifest_key, parquet_key, read_json
from leanetl.lib.web_events.manifest import DayManifest, Listed
from leanetl.lib.web_events.naming import NameRegistry
from leanetl.lib.web_events.objects import (
    ObjectResult,
    legacy_object_id,
    object_id,
    whole_object_dead_letter,
)
from leanetl.lib.web_events.parallel import ONE_PROCESS, Cores, transformed


@dataclass
class DayTransform:
    results: list[ObjectResult]  # the objects transformed by this run
    manifest: DayManifest  # every object of the day transformed so far
    names: NameRegistry
    workers: int  # worker processes that transformed the objects (1: the run's own)
    redone: int  # objects transformed again in the run's process: a name claimed in flight


def transform_day(
    raw: Objects,
    lake: Objects,
    day: dt.date,
    listed: Sequence[Listed],
    reprocess: bool,
    limits: tuple[int, int],
    cores: Cores = ONE_PROCESS,
) -> DayTransform:
    """Transform the day's pending objects among ``listed`` (every one with ``reprocess``);
    ``limits``: the most event tables, the largest object (bytes); ``cores``: how many worker
    processes (the outputs are the same with any number)."""
    max_event_tables, max_object_bytes = limits
    manifest = DayManifest.from_json(day, read_json(lake, manifest_key(day.isoformat())))
    names = NameRegistry.from_json(read_json(lake, NAMES), max_event_tables)
    pending = manifest.pending(listed, reprocess)
    workers = cores.for_day(pending)
    results, redone = [], 0
    for item, result, again in transformed(
        pending, lambda item: _read(raw, item), names, max_object_bytes, workers
    ):
        redone += again
        # Names are stored before any output is written under them (see NameRegistry.merge).
        names.merge(NameRegistry.from_json(read_json(lake, NAMES)))
        lake.put_bytes(NAMES, json.dumps(names.to_json(), sort_keys=True).encode())
        previous = manifest.objects.get(item.key)
        rows = write_outputs(lake, day.isoformat(), result, previous)
        manifest.record(item, rows, len(result.dead_letters), result.records, object_id(item.key))
        lake.put_bytes(manifest_key(day.isoformat()), json.dumps(manifest.to_json()).encode())
        results.append(result.written())
    return DayTransform(results, manifest, names, workers, redone)


def _read(raw: Objects, item: Listed) -> bytes | ObjectResult:
    try:
        return raw.get_bytes(item.key)
    except UnsafeKeyError as exc:
        # A key with an empty, '.' or '..' segment cannot be read safely: dead-lettered,
        # recorded, and the run goes on with the other objects.
        return whole_object_dead_letter(item.key, str(exc))


def write_outputs(
    lake: Objects, day: str, result: ObjectResult, previous: dict[str, Any] | None
) -> dict[str, int]:
    """The object's Parquet per table and its dead letters; outputs it no longer has are removed
    (all of them when an earlier leanetl named them otherwise)."""
    oid = object_id(result.key)
    old = (previous or {}).get("output_id") or (legacy_object_id(result.key) if previous else oid)
    if old != oid:
        for table in (previous or {}).get("rows", {}):
            lake.delete(parquet_key(table, day, old))
        if (previous or {}).get("dead_letters"):
            lake.delete(errors_key(day, old))
        previous = None
    for table, rows in result.tables.items():
        # A worker's result holds its tables as Parquet only (``encoded``), every one of them.
        encoded = result.encoded[table] if result.encoded else table_to_parquet_bytes(rows)
        lake.put_bytes(parquet_key(table, day, oid), encoded)
    for table in set((previous or {}).get("rows", {})) - set(result.tables):
        lake.delete(parquet_key(table, day, oid))
    if len(result.dead_letters):
        lines = result.dead_letters.to_json(orient="records", lines=True, force_ascii=False)
        lake.put_bytes(errors_key(day, oid), lines.encode(), content_type="application/x-ndjson")
    elif previous and previous.get("dead_letters"):
        lake.delete(errors_key(day, oid))
    return {table: rows.num_rows for table, rows in result.tables.items()}
