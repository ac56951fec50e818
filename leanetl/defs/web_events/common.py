"""Keys and addresses shared by the web events assets."""

import json
from typing import Any

import dagster as dg

from leanetl.defs.asset_keys import asset_keys
from leanetl.io_managers.object_store import ObjectStore
from leanetl.lib.web_events.tables import CALL_TABLES

DOMAIN = "web_events"
FIREHOSE_OBJECTS, EVENT_TABLES, DEAD_LETTERS, QUERY_TABLES = asset_keys(
    DOMAIN, "firehose_objects", "track_event_tables", "dead_letters", "query_tables"
)
TABLE_KEYS = dict(zip(CALL_TABLES, asset_keys(DOMAIN, *CALL_TABLES), strict=True))

TRANSFORMED = "transformed"
ERRORS = "errors"
MANIFESTS = "manifests"
NAMES = f"{MANIFESTS}/names.json"


def table_key(table: str) -> dg.AssetKey:
    """The asset a table's rows belong to: its own for the call tables, else the event tables."""
    return TABLE_KEYS.get(table, EVENT_TABLES)


def parquet_key(table: str, day: str, object_id: str) -> str:
    return f"{TRANSFORMED}/{table}/dt={day}/{object_id}.parquet"


def errors_key(day: str, object_id: str) -> str:
    return f"{ERRORS}/dt={day}/{object_id}.jsonl"


def manifest_key(day: str) -> str:
    return f"{MANIFESTS}/dt={day}.json"


def read_json(lake: ObjectStore, key: str) -> dict[str, Any] | None:
    """A manifest or the names registry as stored, None before the first run wrote it."""
    return json.loads(lake.get_bytes(key)) if lake.exists(key) else None
