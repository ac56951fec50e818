"""Keys shared by the web events assets (where their files are: ``lib/web_events/lake.py``)."""

import dagster as dg

from leanetl.defs.asset_keys import asset_keys
from leanetl.lib.web_events.tables import CALL_TABLES

DOMAIN = "web_events"
FIREHOSE_OBJECTS, EVENT_TABLES, DEAD_LETTERS, QUERY_TABLES = asset_keys(
    DOMAIN, "firehose_objects", "track_event_tables", "dead_letters", "query_tables"
)
TABLE_KEYS = dict(zip(CALL_TABLES, asset_keys(DOMAIN, *CALL_TABLES), strict=True))


def table_key(table: str) -> dg.AssetKey:
    """The asset a table's rows belong to: its own for the call tables, else the event tables."""
    return TABLE_KEYS.get(table, EVENT_TABLES)
