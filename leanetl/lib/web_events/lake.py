"""Where the web events pipeline keeps its files in its lake (``LEANETL_WEB_EVENTS_URL``):
Parquet per table and arrival day, dead letters, the day manifests and the names registry."""

import datetime as dt
import json
from typing import Any

import pandas as pd

from leanetl.lib.parquet import read_parquet_bytes
from leanetl.lib.stores import Objects

TRANSFORMED = "transformed"
ERRORS = "errors"
MANIFESTS = "manifests"
NAMES = f"{MANIFESTS}/names.json"


def parquet_key(table: str, day: str, object_id: str) -> str:
    return f"{TRANSFORMED}/{table}/dt={day}/{object_id}.parquet"


def errors_key(day: str, object_id: str) -> str:
    return f"{ERRORS}/dt={day}/{object_id}.jsonl"


def manifest_key(day: str) -> str:
    return f"{MANIFESTS}/dt={day}.json"


def read_json(lake: Objects, key: str) -> dict[str, Any] | None:
    """A manifest or the names registry as stored, None before the first run wrote it."""
    return json.loads(lake.get_bytes(key)) if lake.exists(key) else None


def recent_rows(lake: Objects, table: str, last_day: dt.date, days: int) -> pd.DataFrame:
    """A table's rows of the ``days`` arrival days up to ``last_day``, one per message_id (the
    first received; rows without one all kept)."""
    frames = []
    for n in range(days):
        day = last_day - dt.timedelta(days=n)
        for key in lake.list_keys(f"{TRANSFORMED}/{table}/dt={day}/"):
            frames.append(read_parquet_bytes(lake.get_bytes(key)))
    if not frames:
        return pd.DataFrame()
    rows = pd.concat(frames, ignore_index=True)
    rows = rows.sort_values(["received_at", "raw_object", "raw_offset"], na_position="last")
    keep = rows["message_id"].isna() | ~rows["message_id"].duplicated()
    return rows[keep].reset_index(drop=True)
