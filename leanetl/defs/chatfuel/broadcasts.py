"""The bot's broadcasts of the pull day, their messages (JSON in the object store), their
audiences' filters and segments, and the recipients of those sent 1-7 days before
(``lib.chatfuel.broadcasts`` says what counts). Every table is the day's slice, replaced
atomically on a re-run; the day's message documents are replaced as a set."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import dagster as dg
import pandas as pd

from leanetl.defs.chatfuel.common import (
    BROADCAST_ENTRIES,
    BROADCAST_RECIPIENTS,
    BROADCASTS,
    DOMAIN,
    SEGMENTS,
    USER_FILTERS,
    USERS,
)
from leanetl.defs.chatfuel.resources import ChatfuelResource
from leanetl.defs.checks import check_results
from leanetl.defs.partitions import daily_step, partition_day
from leanetl.defs.specs import raw_spec
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.warehouse import PARTITION_COLUMN, Slice, Warehouse
from leanetl.lib.chatfuel.broadcasts import (
    BROADCAST_COLUMNS,
    FILTER_COLUMNS,
    SEGMENT_COLUMNS,
    Broadcast,
    broadcast_of,
    broadcast_row,
    filter_rows,
    in_recipient_window,
    segments_frame,
    sent_on,
    typed,
)
from leanetl.lib.chatfuel.checks import broadcast_ids_unique, broadcasts_written
from leanetl.lib.chatfuel.entries import audience_rows, entry_documents, replace_entries
from leanetl.settings import Settings

TABLES = {
    BROADCASTS: "One row per broadcast (a flow whose entry point is a one-time or scheduled "
    "message): status, scheduled time, sent day, recipients count, audience, message template.",
    USER_FILTERS: "The audience filters of the broadcasts sent 1-7 days before the pull day.",
    BROADCAST_RECIPIENTS: "broadcast_id, user_id: who the audience of each broadcast sent 1-7 "
    "days before the pull day selects at pull time.",
    SEGMENTS: "The segments the audiences use (nested ones too): id, name, operator.",
}
CHECKS = {
    "broadcast_ids_unique": (BROADCASTS, "One row per broadcast id in the day's slice.", True),
    "entries_written": (
        BROADCAST_ENTRIES,
        "Every broadcast with a message has its JSON document for the day.",
        True,
    ),
    "recipients_are_users": (
        BROADCAST_RECIPIENTS,
        "Every recipient is a user of the day's users (warns: the API and an export can differ).",
        False,
    ),
}


NOT_PULLED = (
    "not pulled: broadcasts need Chatfuel's API (LEANETL_CHATFUEL_TOKEN and "
    "LEANETL_CHATFUEL_BOT_ID; the sample bot with LEANETL_SAMPLE_DATA on)"
)


def _seen_before(warehouse: Warehouse, day: dt.date) -> dict[str, tuple[dt.date, dt.date | None]]:
    """Per broadcast in the slices before ``day``: (first pull day, first pull day Finished)."""
    if not warehouse.table_exists(DOMAIN, "broadcasts"):
        return {}
    found = warehouse.query(
        "select broadcast_id, min(dt) as first_seen, "
        "min(case when status = 'Finished' then dt end) as first_finished "
        f"from {warehouse.table_ref(DOMAIN, 'broadcasts')} "
        f"where dt < {warehouse.param('day')} group by broadcast_id",
        {"day": day},
    )

    def date(value: Any) -> dt.date | None:
        return None if pd.isna(value) else pd.Timestamp(value).date()

    return {
        str(r.broadcast_id): (date(r.first_seen), date(r.first_finished))
        for r in found.itertuples()
    }


def _stamp(frame: pd.DataFrame, day: dt.date, pulled_at: pd.Timestamp) -> pd.DataFrame:
    return frame.assign(
        **{
            PARTITION_COLUMN: pd.Series([day] * len(frame), dtype="date32[pyarrow]"),
            "pulled_at": pd.Series([pulled_at] * len(frame), dtype="datetime64[us, UTC]"),
        }
    )


def _unknown_recipients(warehouse: Warehouse, day: dt.date) -> int:
    recipients = warehouse.table_ref(DOMAIN, "broadcast_recipients")
    users = warehouse.table_ref(DOMAIN, "users")
    p = warehouse.param("day")
    found = warehouse.query(
        f"select count(*) as n from {recipients} r where r.dt = {p} and not exists "
        f"(select 1 from {users} u where u.dt = {p} and u.user_id = r.user_id)",
        {"day": day},
    )
    return int(found["n"][0])


def _refused_when_repeated(outcome: dict) -> Iterator[dg.AssetCheckResult]:
    """A day whose flows repeat a broadcast id: its failed check, then a failure (not retried)."""
    passed, figures = outcome["broadcast_ids_unique"]
    if passed:
        return
    yield from check_results(outcome, {"broadcast_ids_unique": BROADCASTS})
    raise dg.Failure(
        f"chatfuel broadcasts: {figures['repeated_ids']} broadcast ids repeated in the bot's "
        "flows; nothing was written, the day's earlier pull stays",
        allow_retries=False,
    )


def _day_tables(
    client: Any, broadcasts: list[Broadcast], warehouse: Warehouse, day: dt.date
) -> tuple[dict[str, pd.DataFrame], list[Broadcast], list[str]]:
    """(the day's four tables, the broadcasts in the recipients' window, audiences skipped)."""
    seen = _seen_before(warehouse, day)
    sent = {b.id: sent_on(b, seen.get(b.id), day) for b in broadcasts}
    window = [b for b in broadcasts if in_recipient_window(sent[b.id], day)]
    recipients, skipped = audience_rows(client, window)
    tables = {
        "broadcasts": typed([broadcast_row(b, sent[b.id]) for b in broadcasts], BROADCAST_COLUMNS),
        "user_filters": typed([r for b in window for r in filter_rows(b)], FILTER_COLUMNS),
        "broadcast_recipients": recipients,
        "segments": typed(segments_frame(broadcasts).to_dict("records"), SEGMENT_COLUMNS),
    }
    return tables, window, skipped


def build_broadcasts_asset(settings: Settings) -> dg.AssetsDefinition:
    entries = raw_spec(
        BROADCAST_ENTRIES,
        f"Each broadcast's message as a JSON document under {settings.chatfuel.entries_url}"
        "/dt=<pull day>/<broadcast id>.json.",
        [USERS],
        frozenset({"json"}),
    )

    @daily_step(
        settings,
        "chatfuel_broadcasts",
        can_subset=False,  # the tables of a pull are always written together
        specs=[
            *(raw_spec(key, text, [USERS]) for key, text in TABLES.items()),
            entries,
        ],
        check_specs=[
            dg.AssetCheckSpec(name, asset=key, description=text, blocking=blocking)
            for name, (key, text, blocking) in CHECKS.items()
        ],
    )
    def chatfuel_broadcasts(
        context: dg.AssetExecutionContext,
        chatfuel: ChatfuelResource,
        chatfuel_entries: ObjectStore,
        warehouse: Warehouse,
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        day = partition_day(context)
        pulled_at = pd.Timestamp.now(tz="UTC").floor("us")
        # Broadcasts come only from Chatfuel's API. Without it (no token, no sample asked for)
        # the day's slices are written empty and say so, so that the users' models still build;
        # nothing is invented.
        client = chatfuel.client(day) if chatfuel.configured else None
        if client is None:
            context.log.warning(NOT_PULLED)
        flows = client.flows() if client is not None else []
        broadcasts = [b for flow in flows if (b := broadcast_of(flow)) is not None]
        outcome = broadcast_ids_unique([b.id for b in broadcasts])
        yield from _refused_when_repeated(outcome)  # before anything of the day is written
        tables, window, skipped = _day_tables(client, broadcasts, warehouse, day)
        documents = entry_documents(broadcasts, day, pulled_at.isoformat())
        warehouse.replace_slices(
            [Slice(DOMAIN, t, _stamp(f, day, pulled_at), (day,)) for t, f in tables.items()]
        )
        replace_entries(chatfuel_entries, documents, day)
        source = f"chatfuel bot {chatfuel.bot_id or 'sample'}" if client else NOT_PULLED
        calls = client.calls if client is not None else 0
        yield from _results(tables, window, skipped, len(documents), calls, source)
        with_message = sum(b.template is not None for b in broadcasts)
        stored = len(list(chatfuel_entries.list_keys(f"dt={day.isoformat()}/")))
        unknown = _unknown_recipients(warehouse, day)
        outcomes = {**outcome, **broadcasts_written(stored, with_message, unknown)}
        warn = {name for name, (_, _, blocking) in CHECKS.items() if not blocking}
        yield from check_results(outcomes, {n: k for n, (k, _, _) in CHECKS.items()}, warn)

    return chatfuel_broadcasts


def _results(
    tables: dict[str, pd.DataFrame],
    window: list[Broadcast],
    skipped: list[str],
    documents: int,
    calls: int,
    source: str,
) -> Iterator[dg.MaterializeResult]:
    broadcasts = tables["broadcasts"]
    yield dg.MaterializeResult(
        asset_key=BROADCASTS,
        metadata={
            "dagster/row_count": len(broadcasts),
            "source": source,
            "by_status": dg.MetadataValue.json(broadcasts["status"].value_counts().to_dict()),
            "sent_1_to_7_days_before": len(window),
            "api_calls": calls,
        },
    )
    yield dg.MaterializeResult(asset_key=BROADCAST_ENTRIES, metadata={"documents": documents})
    yield dg.MaterializeResult(
        asset_key=USER_FILTERS, metadata={"dagster/row_count": len(tables["user_filters"])}
    )
    yield dg.MaterializeResult(
        asset_key=BROADCAST_RECIPIENTS,
        metadata={
            "dagster/row_count": len(tables["broadcast_recipients"]),
            "audiences_not_listed": len(skipped),
            "why_not_listed": dg.MetadataValue.json(skipped[:20]),
        },
    )
    yield dg.MaterializeResult(
        asset_key=SEGMENTS, metadata={"dagster/row_count": len(tables["segments"])}
    )
