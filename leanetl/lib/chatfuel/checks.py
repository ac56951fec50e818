"""The Chatfuel domain's Python checks, as outcomes: ``{check: (passed, metadata)}``
(reported by ``defs/checks.check_results``)."""

from collections.abc import Callable, Sequence

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


def pulled_day_stored(
    number: Callable[[str, str], int], users: str, facts: str, day: str, events_read: int
) -> Outcomes:
    """A pull day's slices as stored: reconciled with the export, every event's user known, user
    ids unique. ``number(expression, rest)`` is ``select <expression> as n <rest>`` in the
    warehouse; ``users``/``facts`` are the quoted tables and ``day`` the day's parameter."""
    stored = number("count(*)", f"from {facts} where dt = {day}")
    unknown = number(
        "count(*)",
        f"from {facts} e where e.dt = {day} and not exists "
        f"(select 1 from {users} u where u.dt = {day} and u.user_id = e.user_id)",
    )
    repeated = number("count(*) - count(distinct user_id)", f"from {users} where dt = {day}")
    return {
        "events_reconcile": (
            stored == events_read,
            {"events_stored": stored, "events_read": events_read},
        ),
        "event_users_known": (unknown == 0, {"events_of_unknown_users": unknown}),
        "user_ids_unique": (repeated == 0, {"repeated_user_ids": repeated}),
    }
