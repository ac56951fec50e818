"""Raw Firehose objects of one arrival day → Parquet per table, dead letters, the day's manifest."""

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import dagster as dg
from pydantic import Field

from leanetl.defs.checks import check_results
from leanetl.defs.partitions import daily_step, partition_day
from leanetl.defs.sources import no_source, quarantine_metadata
from leanetl.defs.web_events.common import (
    CALL_TABLES,
    DEAD_LETTERS,
    DOMAIN,
    EVENT_TABLES,
    FIREHOSE_OBJECTS,
    NAMES,
    TABLE_KEYS,
    errors_key,
    manifest_key,
    parquet_key,
    read_json,
)
from leanetl.defs.web_events.settings import WebEventsSettings
from leanetl.io_managers.object_store import ObjectStore, StoredObject
from leanetl.lib.keys import UnsafeKeyError
from leanetl.lib.parquet import table_to_parquet_bytes
from leanetl.lib.quarantine import combine
from leanetl.lib.web_events.checks import transform_checks
from leanetl.lib.web_events.manifest import DayManifest
from leanetl.lib.web_events.naming import NameRegistry
from leanetl.lib.web_events.objects import (
    ObjectResult,
    day_prefix,
    legacy_object_id,
    object_id,
    transform_object,
    whole_object_dead_letter,
)
from leanetl.settings import Settings

CHECKS = {
    "records_reconcile": (
        DEAD_LETTERS,
        "Every record read is a row of tracks or a call table, or a dead letter.",
    ),
    "dead_letters_below_limit": (
        DEAD_LETTERS,
        "Less than LEANETL_WEB_EVENTS_QUARANTINE_MAX_SHARE of the records were dead-lettered (warns).",
    ),
    "timestamps_plausible": (
        TABLE_KEYS["tracks"],
        "No event is timestamped after its arrival day or more than LEANETL_WEB_EVENTS_LOOKBACK_DAYS "
        "before it (such events are kept and counted; warns).",
    ),
}


class WebEventsConfig(dg.Config):
    keys: list[str] = Field(
        default_factory=list, description="new raw keys the sensor saw (informational)"
    )
    reprocess: bool = Field(
        default=False,
        description="transform every object of the day again, replacing its outputs",
    )


def _specs() -> list[dg.AssetSpec]:
    tables = [
        dg.AssetSpec(
            TABLE_KEYS[t],
            deps=[FIREHOSE_OBJECTS],
            description=f"Segment's `{t}` table: Parquet under transformed/{t}/dt=<arrival day>/.",
            group_name=DOMAIN,
            kinds={"parquet", "s3"},
            tags={"layer": "core"},
            skippable=True,
        )
        for t in CALL_TABLES
    ]
    return [
        *tables,
        dg.AssetSpec(
            EVENT_TABLES,
            deps=[FIREHOSE_OBJECTS],
            description="One table per track event (snake_cased name), properties as columns.",
            group_name=DOMAIN,
            kinds={"parquet", "s3"},
            tags={"layer": "core"},
            skippable=True,
        ),
        dg.AssetSpec(
            DEAD_LETTERS,
            deps=[FIREHOSE_OBJECTS],
            description="Records (or whole objects) that could not be read: errors/dt=<day>/*.jsonl "
            "in the one quarantine schema (source = raw key, locator = byte offset).",
            group_name=DOMAIN,
            kinds={"s3"},
            tags={"layer": "raw"},
            skippable=True,
        ),
    ]


def _write_outputs(
    lake: ObjectStore, day: str, result: ObjectResult, previous: dict[str, Any] | None
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
        lake.put_bytes(parquet_key(table, day, oid), table_to_parquet_bytes(rows))
    for table in set((previous or {}).get("rows", {})) - set(result.tables):
        lake.delete(parquet_key(table, day, oid))
    if len(result.dead_letters):
        lines = result.dead_letters.to_json(orient="records", lines=True, force_ascii=False)
        lake.put_bytes(errors_key(day, oid), lines.encode(), content_type="application/x-ndjson")
    elif previous and previous.get("dead_letters"):
        lake.delete(errors_key(day, oid))
    return {table: rows.num_rows for table, rows in result.tables.items()}


def transform_day(
    context: dg.AssetExecutionContext,
    raw: ObjectStore,
    lake: ObjectStore,
    day: dt.date,
    reprocess: bool,
    limits: WebEventsSettings,
) -> tuple[list[ObjectResult], DayManifest, NameRegistry]:
    """Transform the day's pending objects, recording each in the manifest as it is written."""
    manifest = DayManifest.from_json(day, read_json(lake, manifest_key(day.isoformat())))
    names = NameRegistry.from_json(read_json(lake, NAMES), limits.max_event_tables)
    listed: list[StoredObject] = raw.list_objects(day_prefix(day))
    if not listed:
        raise no_source("web events", raw.uri(day_prefix(day)), "Firehose objects", str(day))
    results = []
    for item in manifest.pending(listed, reprocess):
        try:
            data = raw.get_bytes(item.key)
        except UnsafeKeyError as exc:
            # A key with an empty, '.' or '..' segment cannot be read safely: dead-lettered,
            # recorded, and the run goes on with the other objects.
            result = whole_object_dead_letter(item.key, str(exc))
        else:
            result = transform_object(item.key, data, names, limits.max_object_bytes)
        # Names are stored before any output is written under them (see NameRegistry.merge).
        names.merge(NameRegistry.from_json(read_json(lake, NAMES)))
        lake.put_bytes(NAMES, json.dumps(names.to_json(), sort_keys=True).encode())
        previous = manifest.objects.get(item.key)
        rows = _write_outputs(lake, day.isoformat(), result, previous)
        manifest.record(item, rows, len(result.dead_letters), result.records, object_id(item.key))
        lake.put_bytes(manifest_key(day.isoformat()), json.dumps(manifest.to_json()).encode())
        results.append(result)
    context.log.info(f"{len(results)} of {len(listed)} objects of {day} transformed")
    return results, manifest, names


def build_transform_asset(settings: Settings) -> dg.AssetsDefinition:
    web = settings.web_events

    @daily_step(
        settings,
        "transform_web_events",
        include_today=True,
        timezone="UTC",  # Firehose's arrival days
        specs=_specs(),
        check_specs=[
            dg.AssetCheckSpec(name, asset=key, description=text)
            for name, (key, text) in CHECKS.items()
        ],
        can_subset=False,
        # One transform at a time where the deployment sets this pool's limit to 1 (README).
        pool="web_events_names",
    )
    def transform_web_events(
        context: dg.AssetExecutionContext,
        config: WebEventsConfig,
        web_raw: ObjectStore,
        web_lake: ObjectStore,
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        day = partition_day(context)
        results, manifest, names = transform_day(
            context, web_raw, web_lake, day, config.reprocess, web
        )
        yield from _materializations(results, manifest, names)
        outcomes = transform_checks(results, day, web.lookback_days, web.quarantine_max_share)
        yield from check_results(
            outcomes,
            {n: k for n, (k, _) in CHECKS.items()},
            warn=set(CHECKS) - {"records_reconcile"},
        )

    return transform_web_events


def _materializations(
    results: list[ObjectResult], manifest: DayManifest, names: NameRegistry
) -> Iterator[dg.MaterializeResult]:
    totals = manifest.totals()
    run_rows: dict[str, int] = {}
    for result in results:
        for table, rows in result.tables.items():
            run_rows[table] = run_rows.get(table, 0) + rows.num_rows
    for table, key in TABLE_KEYS.items():
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "dagster/row_count": totals.get(table, 0),
                "rows_this_run": run_rows.get(table, 0),
            },
        )
    events = {t: n for t, n in totals.items() if t not in TABLE_KEYS}
    drifted = {f"{t}.{c}" for r in results for t, cols in r.drifted.items() for c in cols}
    yield dg.MaterializeResult(
        asset_key=EVENT_TABLES,
        metadata={
            "dagster/row_count": sum(events.values()),
            "rows_per_table": dg.MetadataValue.json(events),
            "event_tables": dg.MetadataValue.json(dict(sorted(names.tables.items()))),
            "renamed": dg.MetadataValue.json(names.renamed),
            "columns_made_text": dg.MetadataValue.json(sorted(drifted)),
        },
    )
    letters = combine(r.dead_letters for r in results)
    yield dg.MaterializeResult(
        asset_key=DEAD_LETTERS,
        metadata={
            **quarantine_metadata(letters),
            "dead_letter_records": int(sum(e["dead_letters"] for e in manifest.objects.values())),
            "objects_this_run": len(results),
            "objects_in_day": len(manifest.objects),
            "records_this_run": sum(r.records for r in results),
        },
    )
