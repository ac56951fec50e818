"""The bot's users and their attributes as events, from the newest contacts export of the pull
day: the wide export is unpivoted while it streams (``lib.chatfuel.unpivot``) into Parquet that
the warehouse loads as the day's slice, replaced atomically."""

import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd

from leanetl.clients.chatfuel_contacts import api_export
from leanetl.defs.chatfuel.common import (
    ATTRIBUTE_EVENTS,
    CONTACTS_EXPORT,
    CONTACTS_QUARANTINE,
    DOMAIN,
    EXPORT_PREFIX,
)
from leanetl.defs.chatfuel.common import USERS as USERS_KEY
from leanetl.defs.chatfuel.resources import ChatfuelResource
from leanetl.defs.checks import check_results
from leanetl.defs.partitions import daily_step, partition_day
from leanetl.defs.sources import (
    SourceConfig,
    SourceKeys,
    SourceRead,
    bad_source_fails_without_retry,
    dropped_exports,
    guard_source,
    no_source,
    quarantine_check,
    quarantine_metadata,
    source_checks,
)
from leanetl.defs.specs import raw_spec
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.warehouse import PARTITION_COLUMN, Slice, Warehouse
from leanetl.lib.chatfuel.checks import pulled_day_stored
from leanetl.lib.chatfuel.contacts import export_quarantine, export_users, unpivot_to_parquet
from leanetl.lib.chatfuel.unpivot import Unpivoted
from leanetl.lib.chatfuel.users import export_for_day
from leanetl.settings import Settings

KEYS = SourceKeys(USERS_KEY, CONTACTS_QUARANTINE)
CHECKS = {
    "events_reconcile": (
        ATTRIBUTE_EVENTS,
        "The day's events in the warehouse are exactly the non-empty attribute cells the export "
        "had (quarantined rows and unloaded columns excluded, and counted).",
    ),
    "event_users_known": (ATTRIBUTE_EVENTS, "Every user of the day's events is a user that day."),
    "user_ids_unique": (USERS_KEY, "One row per user id in the day's users."),
}


def _export_key(source: ObjectStore, day: dt.date) -> str:
    key = export_for_day([o.key for o in dropped_exports(source, EXPORT_PREFIX, (".csv",))], day)
    if key is None:
        raise no_source("chatfuel contacts", source.uri(""), f"{EXPORT_PREFIX}*.csv", str(day))
    return key


@contextmanager
def _dropped_export(
    source: ObjectStore, day: dt.date
) -> Iterator[tuple[Path, str, dict[str, Any]]]:
    """The export dropped under the source that ``day`` reads (read only, never written)."""
    key = _export_key(source, day)
    with source.local_copy(key) as path:
        yield path, source.uri(key), {"route": "dropped export"}


@contextmanager
def _export_file(
    context: dg.AssetExecutionContext,
    chatfuel: ChatfuelResource,
    source: ObjectStore,
    day: dt.date,
    settings: Settings,
) -> Iterator[tuple[Path, str, dict[str, Any]]]:
    """(local file, source name for errors, how it was got) of the day's contacts export."""
    if not settings.chatfuel.use_api:
        with _dropped_export(source, day) as found:
            yield found
        return
    with tempfile.TemporaryDirectory() as folder:
        yield api_export(
            chatfuel.client(day),
            (chatfuel.poll_seconds, chatfuel.max_polls),
            Path(folder) / "export.csv",
            f"chatfuel bot {chatfuel.bot_id} contacts",
            context.log.warning,
        )


def _checks(warehouse: Warehouse, day: dt.date, events: int) -> Iterator[dg.AssetCheckResult]:
    """The day's slices as stored (``lib/chatfuel/checks.pulled_day_stored``)."""

    def number(expression: str, rest: str) -> int:
        return int(warehouse.query(f"select {expression} as n {rest}", {"day": day})["n"][0])

    outcomes = pulled_day_stored(
        number,
        warehouse.table_ref(DOMAIN, "users"),
        warehouse.table_ref(DOMAIN, "attribute_events"),
        warehouse.param("day"),
        events,
    )
    yield from check_results(outcomes, {name: key for name, (key, _) in CHECKS.items()})


TABLES = {
    USERS_KEY: "The bot's users that pull day: id, names, signed up, last seen (UTC), status.",
    ATTRIBUTE_EVENTS: "One row per non-empty attribute cell of the export: user_id, attribute, "
    "value, value_type, pulled_at.",
    CONTACTS_QUARANTINE: "Export rows (line, reason, raw) and columns that were not loaded.",
}


def build_contacts_asset(settings: Settings) -> dg.AssetsDefinition:
    @daily_step(
        settings,
        "chatfuel_contacts",
        can_subset=False,  # the tables of a pull are always written together
        specs=[raw_spec(key, text, [CONTACTS_EXPORT]) for key, text in TABLES.items()],
        check_specs=[
            *source_checks(KEYS, "LEANETL_CHATFUEL_QUARANTINE_MAX_SHARE"),
            *(
                dg.AssetCheckSpec(name, asset=key, description=text, blocking=True)
                for name, (key, text) in CHECKS.items()
            ),
        ],
    )
    def chatfuel_contacts(
        context: dg.AssetExecutionContext,
        config: SourceConfig,
        chatfuel: ChatfuelResource,
        chatfuel_source: ObjectStore,
        warehouse: Warehouse,
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        day = partition_day(context)
        pulled_at = pd.Timestamp.now(tz="UTC").floor("us").to_pydatetime()
        with (
            tempfile.TemporaryDirectory() as folder,
            _export_file(context, chatfuel, chatfuel_source, day, settings) as (path, source, how),
            bad_source_fails_without_retry(),
        ):
            events_path = Path(folder) / "events.parquet"
            result = unpivot_to_parquet(path, source, events_path, day, pulled_at)
            users, counts = export_users(result, settings.chatfuel.platforms)
            quarantine = export_quarantine(result, source)
            # Users kept, not rows read: an export whose every row is quarantined has none.
            truncation = yield from guard_source(
                context, USERS_KEY, len(users), settings, config, figure="dagster/row_count"
            )
            frame = users.assign(**{PARTITION_COLUMN: day, "pulled_at": pulled_at})
            # The day's three slices together: all replaced, or none (one transaction).
            warehouse.replace_slices(
                [
                    Slice(DOMAIN, "users", frame, (day,)),
                    Slice(DOMAIN, "attribute_events", events_path, (day,)),
                    Slice(
                        DOMAIN,
                        "contacts_quarantine",
                        quarantine.assign(**{PARTITION_COLUMN: day}),
                        (day,),
                    ),
                ]
            )
        yield from _materializations(context, result, users, counts, quarantine, source, how)
        yield truncation
        yield quarantine_check(
            KEYS, SourceRead(users, quarantine, result.rows), settings.chatfuel.quarantine_max_share
        )
        yield from _checks(warehouse, day, result.events)

    return chatfuel_contacts


def _previous_attributes(context: dg.AssetExecutionContext) -> set[str] | None:
    record = context.instance.get_latest_materialization_event(ATTRIBUTE_EVENTS)
    value = (
        record.asset_materialization.metadata.get("attribute_names")
        if record and record.asset_materialization
        else None
    )
    return set(value.value) if value is not None else None


def _materializations(
    context: dg.AssetExecutionContext,
    result: Unpivoted,
    users: pd.DataFrame,
    counts: dict[str, int],
    quarantine: pd.DataFrame,
    source: str,
    how: dict[str, Any],
) -> Iterator[dg.MaterializeResult]:
    names = list(result.layout.attributes.values())
    previous = _previous_attributes(context)
    new = sorted(set(names) - previous) if previous is not None else []
    yield dg.MaterializeResult(
        asset_key=USERS_KEY,
        metadata={
            "dagster/row_count": len(users),
            "source_rows": result.rows,
            "export": source,
            **how,
            **counts,
        },
    )
    yield dg.MaterializeResult(
        asset_key=ATTRIBUTE_EVENTS,
        metadata={
            "dagster/row_count": result.events,
            "attributes": len(names),
            "new_attributes": len(new),
            "new_attribute_names": dg.MetadataValue.json(new[:100]),
            "attribute_names": dg.MetadataValue.json(names),
            "columns_not_loaded": len(result.layout.unloaded),
            "cells_not_loaded": sum(result.unloaded_cells.values()),
        },
    )
    yield dg.MaterializeResult(
        asset_key=CONTACTS_QUARANTINE, metadata=quarantine_metadata(quarantine)
    )
