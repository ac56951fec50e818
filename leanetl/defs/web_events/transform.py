"""Raw Firehose objects of one arrival day → Parquet per table, dead letters, the day's manifest."""

from collections.abc import Iterator

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
    TABLE_KEYS,
)
from leanetl.io_managers.object_store import ObjectStore
from leanetl.lib.quarantine import combine
from leanetl.lib.web_events.checks import transform_checks
from leanetl.lib.web_events.objects import day_prefix
from leanetl.lib.web_events.transform_day import DayTransform, transform_day
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
        listed = web_raw.list_objects(day_prefix(day))
        if not listed:
            raise no_source(
                "web events", web_raw.uri(day_prefix(day)), "Firehose objects", str(day)
            )
        limits = (web.max_event_tables, web.max_object_bytes)
        done = transform_day(web_raw, web_lake, day, listed, config.reprocess, limits, web.cores)
        context.log.info(
            f"{len(done.results)} of {len(listed)} objects of {day} transformed by "
            f"{done.workers} process(es); {done.redone} again after a name claimed in flight"
        )
        yield from _materializations(done)
        outcomes = transform_checks(done.results, day, web.lookback_days, web.quarantine_max_share)
        yield from check_results(
            outcomes,
            {n: k for n, (k, _) in CHECKS.items()},
            warn=set(CHECKS) - {"records_reconcile"},
        )

    return transform_web_events


def _materializations(done: DayTransform) -> Iterator[dg.MaterializeResult]:
    results, manifest, names = done.results, done.manifest, done.names
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
            "worker_processes": done.workers,
            "objects_transformed_again": done.redone,
        },
    )
