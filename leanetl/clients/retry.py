"""One retry policy for the API clients (Chatfuel, the Graph API, Sheets).

A call is tried, and tried again while its failure is transient, at most ``retries`` more
times. Before try n+1 the client waits the backoff (``backoff_seconds``, doubling each time)
or what the server asked for when that is longer (``Retry-After``, a usage header's time to
regain access), never more than ``max_wait_seconds``. With a ``deadline`` (a
``time.monotonic()`` instant for the whole pull), no try starts, and no wait begins, that would
end past it. Each client decides what is transient and says so by raising ``Retry``.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


class Retry(Exception):
    """Raised by one try whose failure is worth trying again."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.wait = reason, wait


class GaveUp(Exception):
    """The tries ran out, or the deadline would pass: ``reason`` of the last try."""

    def __init__(self, reason: str, tries: int, deadline: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.tries, self.deadline = reason, tries, deadline


@dataclass
class RetryPolicy:
    retries: int = 5
    backoff_seconds: float = 2.0
    max_wait_seconds: float = 300.0
    deadline: float | None = None  # time.monotonic() by which the whole pull must be done
    sleep: Callable[[float], None] = time.sleep
    waited_seconds: float = 0.0
    retried: list[str] = field(default_factory=list)  # the reason of each try retried

    def delay(self, tries: int, asked: float | None = None) -> float:
        """Seconds to wait after ``tries`` failed tries (see the module's docstring)."""
        backoff = self.backoff_seconds * 2 ** (tries - 1)
        return min(max(backoff, asked or 0.0), self.max_wait_seconds)

    def pause(self, seconds: float) -> None:
        """Sleep ``seconds`` (capped at ``max_wait_seconds``), counted in ``waited_seconds``."""
        seconds = min(seconds, self.max_wait_seconds)
        self.waited_seconds += seconds
        self.sleep(seconds)

    def past_deadline(self, wait: float = 0.0) -> bool:
        return self.deadline is not None and time.monotonic() + wait > self.deadline

    def run(self, attempt: Callable[[int], T]) -> T:
        """``attempt(try number)``'s value, tried again on ``Retry``; ``GaveUp`` when the tries
        or the time run out."""
        tries = 0
        while True:
            if self.past_deadline():
                raise GaveUp("the deadline passed", tries, deadline=True)
            tries += 1
            try:
                return attempt(tries)
            except Retry as again:
                if tries > self.retries:
                    raise GaveUp(again.reason, tries) from None
                wait = self.delay(tries, again.wait)
                if self.past_deadline(wait):
                    raise GaveUp(again.reason, tries, deadline=True) from None
                self.retried.append(again.reason)
                self.pause(wait)
