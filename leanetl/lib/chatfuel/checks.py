"""The Chatfuel broadcasts' Python checks, as outcomes: ``{check: (passed, metadata)}``
(reported by ``defs/checks.check_results``)."""

from collections.abc import Sequence

from leanetl.lib.outcomes import Outcomes


def broadcast_ids_unique(ids: Sequence[str]) -> Outcomes:
    """No broadcast id is listed twice among the bot's flows (checked before any write)."""
    repeated = len(ids) - len(set(ids))
    return {"broadcast_ids_unique": (repeated == 0, {"repeated_ids": repeated})}


def broadcasts_written(stored: int, with_message: int, unknown_recipients: int) -> Outcomes:
    """A message document per broadcast that has a message; every recipient a known user."""
    return {
        "entries_written": (
            stored == with_message,
            {"documents": stored, "broadcasts_with_message": with_message},
        ),
        "recipients_are_users": (
            unknown_recipients == 0,
            {"recipients_not_in_users": unknown_recipients},
        ),
    }
