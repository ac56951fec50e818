"""Where a Chatfuel export task stands, from the task as ``getTask`` answers it.

A task carries the history of its statuses; the current one is the status with the latest
``startedAt`` (ties: the later in the list). ``Finished`` with a file whose status is ``Ready``
is done; ``Failed`` or ``Cancelled`` is failed; a task still running after its ``deadline`` is
failed too (Chatfuel gives up on it then).
"""

import datetime as dt
from typing import Any

import pandas as pd

RUNNING = frozenset({"Created", "InProgress", "Paused"})


def _instant(text: str) -> dt.datetime:
    stamp = pd.Timestamp(text)
    return (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp).to_pydatetime()


def export_state(task: dict[str, Any], now: dt.datetime) -> tuple[str, str]:
    """("finished", file URL), ("failed", why) or ("running", current status)."""
    statuses = task.get("statuses") or []
    if not statuses:
        return "running", "no status yet"
    current = max(enumerate(statuses), key=lambda s: (_instant(s[1]["startedAt"]), s[0]))[1]
    kind = current["type"]
    file = ((task.get("data") or {}).get("file")) or {}
    if kind == "Finished":
        if file.get("status") == "Ready" and file.get("url"):
            return "finished", file["url"]
        return "failed", f"finished without a ready file (file status {file.get('status')})"
    if kind in ("Failed", "Cancelled"):
        return "failed", f"task {kind.lower()}"
    if task.get("deadline") and now > _instant(task["deadline"]):
        return "failed", f"still {kind} after its deadline {task['deadline']}"
    return "running", kind
