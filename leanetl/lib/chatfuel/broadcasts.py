"""Broadcasts out of Chatfuel's flows: what was sent, when, to which audience, with which message.

Chatfuel has no broadcast entity. A flow is a broadcast when one of its blocks holds a
``WhatsAppOneTimeNotificationBlockElement`` (sent once, when launched) or a
``WhatsAppScheduledMessageBlockElement`` (sent at ``firstSendTime``); the first such element in
block order is the broadcast's entry point, its ``segment`` the audience. The message is the
template of the flow's first ``WhatsAppTemplateBlockElement``.

Send day (``sent_on``, UTC): a scheduled broadcast's ``firstSendTime`` day once it is Live or
Finished and that day is not after the pull day. A one-time broadcast carries no send time: when an earlier pull saw it not yet
Finished, it is the first pull day that saw it Finished (it went out since the pull before);
when it was already Finished the first time any pull saw it, it is the day its flow was created
(it went out between then and that pull); unknown while it is not Finished. Recipients and
filters are pulled for the broadcasts sent 1 to 7 days before the pull day.
"""

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

ONE_TIME = "WhatsAppOneTimeNotificationBlockElement"
SCHEDULED = "WhatsAppScheduledMessageBlockElement"
TEMPLATE = "WhatsAppTemplateBlockElement"
RECIPIENT_WINDOW_DAYS = (1, 7)


class SegmentInputError(ValueError):
    """An audience that cannot be sent back as a ``SegmentInput`` (stored-segment filters)."""


@dataclass(frozen=True)
class Broadcast:
    id: str
    name: str
    kind: str  # one_time | scheduled
    status: str
    scheduled_at: pd.Timestamp | None
    repeat: str | None
    recipients_count: int | None
    created_at: pd.Timestamp | None
    segment: dict[str, Any]
    template: dict[str, Any] | None


def _utc(text: str | None) -> pd.Timestamp | None:
    if not text:
        return None
    stamp = pd.Timestamp(text)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _elements(flow: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for block in flow.get("blocks") or []:
        yield from block.get("blockElements") or []


def broadcast_of(flow: dict[str, Any]) -> Broadcast | None:
    """The broadcast ``flow`` is, or None for an ordinary flow."""
    elements = list(_elements(flow))
    entry = next((e for e in elements if e.get("__typename") in (ONE_TIME, SCHEDULED)), None)
    if entry is None:
        return None
    template = next((e for e in elements if e.get("__typename") == TEMPLATE), None)
    scheduled = entry["__typename"] == SCHEDULED
    return Broadcast(
        id=str(flow["id"]),
        name=flow.get("name") or "",
        kind="scheduled" if scheduled else "one_time",
        status=entry.get("status") or "",
        scheduled_at=_utc(entry.get("firstSendTime")) if scheduled else None,
        repeat=entry.get("repeatType") if scheduled else None,
        recipients_count=entry.get("sentToContactsCount"),
        created_at=_utc(flow.get("createdAt")),
        segment=entry.get("segment") or {},
        template=(template or {}).get("whatsAppTemplate"),
    )


def in_recipient_window(sent: dt.date | None, day: dt.date) -> bool:
    """Sent 1 to 7 days (UTC calendar days) before the pull day ``day``."""
    if sent is None:
        return False
    low, high = RECIPIENT_WINDOW_DAYS
    return low <= (day - sent).days <= high


def _walk(segment: dict[str, Any], depth: int = 0) -> Iterator[tuple[dict, dict | None, int]]:
    """(segment, filter or None, depth) for a segment and every nested in-flight segment."""
    yield segment, None, depth
    for item in segment.get("filters") or []:
        yield segment, item, depth
        if item.get("byInFlightSegment"):
            yield from _walk(item["byInFlightSegment"], depth + 1)


def segments_frame(broadcasts: list[Broadcast]) -> pd.DataFrame:
    """One row per segment id the audiences use (nested ones too). Each broadcast holds its own
    copy of its audience, so a renamed segment has its old name in older broadcasts: the copy of
    the most recently created broadcast wins (ties: the later in the API's order)."""
    rows: dict[str, dict[str, Any]] = {}
    oldest = pd.Timestamp.min.tz_localize("UTC")
    newest_first = sorted(
        enumerate(broadcasts), key=lambda b: (b[1].created_at or oldest, b[0]), reverse=True
    )
    for _, broadcast in newest_first:
        for segment, item, depth in _walk(broadcast.segment):
            if item is None and segment.get("id") and str(segment["id"]) not in rows:
                rows[str(segment["id"])] = {
                    "segment_id": str(segment["id"]),
                    "name": segment.get("name"),
                    "result_operator": segment.get("resultOperator"),
                    "filters": len(segment.get("filters") or []),
                    "nested": depth > 0,
                }
    columns = ["segment_id", "name", "result_operator", "filters", "nested"]
    return pd.DataFrame(list(rows.values()), columns=columns)


def filter_rows(broadcast: Broadcast) -> list[dict[str, Any]]:
    """The audience's filters, one row each (nested segments' filters with their depth)."""
    rows = []
    for segment, item, depth in _walk(broadcast.segment):
        if item is None:
            continue
        by_attribute = item.get("byAttribute") or {}
        strategy = by_attribute.get("defaultStrategy") or {}
        stored = item.get("byStoredSegment") or {}
        rows.append(
            {
                "broadcast_id": broadcast.id,
                "segment_id": str(segment.get("id")),
                "result_operator": segment.get("resultOperator"),
                "filter_id": str(item.get("id")),
                "depth": depth,
                "attribute": (by_attribute.get("attribute") or {}).get("name"),
                "operator": strategy.get("operator") or stored.get("operator"),
                "comparable_values": json.dumps(
                    strategy.get("comparableValues") or stored.get("segmentIDs") or [],
                    ensure_ascii=False,
                ),
                "nested_segment_id": (item.get("byInFlightSegment") or {}).get("id"),
            }
        )
    return rows


def segment_input(segment: dict[str, Any]) -> dict[str, Any]:
    """The audience as a ``SegmentInput`` (to list who it selects), or ``SegmentInputError``."""
    filters = []
    for item in segment.get("filters") or []:
        if item.get("byStoredSegment"):
            raise SegmentInputError(
                f"segment {segment.get('id')} filter {item.get('id')} refers to stored "
                "segments, which a SegmentInput cannot carry"
            )
        one: dict[str, Any] = {"id": item["id"]}
        if item.get("byAttribute"):
            attribute = item["byAttribute"]
            one["byAttribute"] = {
                "name": attribute["attribute"]["name"],
                "defaultStrategy": attribute.get("defaultStrategy"),
            }
        if item.get("byInFlightSegment"):
            one["byInFlightSegment"] = segment_input(item["byInFlightSegment"])
        filters.append(one)
    return {
        "id": segment["id"],
        "name": segment.get("name"),
        "resultOperator": segment.get("resultOperator") or "and",
        "filters": filters,
    }


def audience_text(segment: dict[str, Any]) -> str:
    """A readable audience: ``name (attr IS a, b AND …)``; nested segments in brackets."""
    parts = []
    for item in segment.get("filters") or []:
        attribute = item.get("byAttribute") or {}
        strategy = attribute.get("defaultStrategy") or {}
        if attribute:
            values = ", ".join(strategy.get("comparableValues") or [])
            name = (attribute.get("attribute") or {}).get("name")
            parts.append(f"{name} {strategy.get('operator', '')} {values}".strip())
        elif item.get("byStoredSegment"):
            parts.append(f"in segments {', '.join(item['byStoredSegment']['segmentIDs'])}")
        if item.get("byInFlightSegment"):
            parts.append(f"[{audience_text(item['byInFlightSegment'])}]")
    joined = f" {(segment.get('resultOperator') or 'and').upper()} ".join(parts) or "everyone"
    return f"{segment['name']} ({joined})" if segment.get("name") else joined


BROADCAST_COLUMNS = {
    "broadcast_id": "string",
    "name": "string",
    "kind": "string",
    "status": "string",
    "scheduled_at": "datetime64[us, UTC]",
    "sent_on": "date32[pyarrow]",
    "repeat_type": "string",
    "recipients_count": "Int64",
    "audience_segment_id": "string",
    "audience_segment_name": "string",
    "audience": "string",
    "template_name": "string",
    "created_at": "datetime64[us, UTC]",
}
FILTER_COLUMNS = {
    "broadcast_id": "string",
    "segment_id": "string",
    "result_operator": "string",
    "filter_id": "string",
    "depth": "Int64",
    "attribute": "string",
    "operator": "string",
    "comparable_values": "string",
    "nested_segment_id": "string",
}
SEGMENT_COLUMNS = {
    "segment_id": "string",
    "name": "string",
    "result_operator": "string",
    "filters": "Int64",
    "nested": "boolean",
}
RECIPIENT_COLUMNS = {"broadcast_id": "string", "user_id": "string"}


def typed(rows: list[dict[str, Any]], columns: dict[str, str]) -> pd.DataFrame:
    """``rows`` as a frame with exactly ``columns`` and their dtypes (also when empty)."""
    return pd.DataFrame(rows, columns=list(columns)).astype(columns)


def broadcast_row(broadcast: Broadcast, sent: dt.date | None) -> dict[str, Any]:
    segment = broadcast.segment
    return {
        "broadcast_id": broadcast.id,
        "name": broadcast.name,
        "kind": broadcast.kind,
        "status": broadcast.status,
        "scheduled_at": broadcast.scheduled_at,
        "sent_on": sent,
        "repeat_type": broadcast.repeat,
        "recipients_count": broadcast.recipients_count,
        "audience_segment_id": segment.get("id"),
        "audience_segment_name": segment.get("name"),
        "audience": audience_text(segment) if segment else None,
        "template_name": (broadcast.template or {}).get("name"),
        "created_at": broadcast.created_at,
    }


def sent_on(
    broadcast: Broadcast, seen: tuple[dt.date, dt.date | None] | None, day: dt.date
) -> dt.date | None:
    """The UTC day ``broadcast`` went out, as far as the pull of ``day`` tells (module docstring).

    ``seen`` is (first pull day that saw it, first pull day that saw it Finished) from the
    slices before ``day``, None when no earlier pull saw it.
    """
    if broadcast.kind == "scheduled":
        at = broadcast.scheduled_at
        due = at is not None and at.tz_convert("UTC").date() <= day
        return (
            at.tz_convert("UTC").date()
            if due and broadcast.status in ("Live", "Finished")
            else None
        )
    first_seen, first_finished = seen or (day, None)
    if first_finished is None and broadcast.status == "Finished":
        first_finished = day
    if first_finished is None:
        return None
    if first_seen < first_finished:  # seen unsent, then Finished: sent since the pull before
        return first_finished
    created = broadcast.created_at.date() if broadcast.created_at is not None else None
    return min(created, first_finished) if created else first_finished
