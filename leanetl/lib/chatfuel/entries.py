"""The broadcasts' message documents (``LEANETL_CHATFUEL_ENTRIES_URL``): one JSON document per
broadcast with a message and pull day, ``dt=<day>/<broadcast id>.json``."""

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any, Protocol

import pandas as pd

from leanetl.lib.chatfuel.broadcasts import (
    RECIPIENT_COLUMNS,
    Broadcast,
    SegmentInputError,
    segment_input,
    typed,
)
from leanetl.lib.keys import key_segment
from leanetl.lib.stores import Objects


def entry_documents(broadcasts: list[Broadcast], day: dt.date, pulled_at: str) -> dict[str, bytes]:
    """``dt=<day>/<broadcast id>.json`` -> the message document, for broadcasts with a message.

    Built (and every id checked as a key segment) before anything is written.
    """
    documents = {}
    for broadcast in broadcasts:
        if broadcast.template is None:
            continue
        key = f"dt={day.isoformat()}/{key_segment(broadcast.id, 'Chatfuel broadcast id')}.json"
        document = {
            "broadcast_id": broadcast.id,
            "name": broadcast.name,
            "pulled_at": pulled_at,
            "template": broadcast.template,
        }
        documents[key] = json.dumps(document, ensure_ascii=False, indent=1).encode()
    return documents


def replace_entries(store: Objects, documents: dict[str, bytes], day: dt.date) -> None:
    """Write the day's documents, then remove the day's documents of broadcasts now gone."""
    for key, data in documents.items():
        store.put_bytes(key, data)
    for key in set(store.list_keys(f"dt={day.isoformat()}/")) - documents.keys():
        store.delete(key)


class Audiences(Protocol):
    def contact_ids(self, segment: dict[str, Any] | None = None) -> Iterator[str]: ...


def audience_rows(client: Audiences, window: list[Broadcast]) -> tuple[pd.DataFrame, list[str]]:
    """(broadcast_id, user_id) of each window broadcast's audience, as the API lists it now;
    the audiences that cannot be asked for, and why."""
    rows, skipped = [], []
    for broadcast in window:
        try:
            wanted = segment_input(broadcast.segment)
        except SegmentInputError as exc:
            skipped.append(str(exc))
            continue
        rows += [
            {"broadcast_id": broadcast.id, "user_id": user}
            for user in dict.fromkeys(client.contact_ids(wanted))
        ]
    return typed(rows, RECIPIENT_COLUMNS), skipped
