"""The API clients' one retry policy (``leanetl.clients.retry``)."""

import re
import time
from pathlib import Path

import pytest

from leanetl.clients.retry import GaveUp, Retry, RetryPolicy


def _failing(times: int, wait: float | None = None):
    tries: list[int] = []

    def attempt(n: int) -> str:
        tries.append(n)
        if len(tries) <= times:
            raise Retry(f"failure {n}", wait)
        return "done"

    return attempt, tries


def test_waits_double_take_a_longer_ask_and_are_capped() -> None:
    waits: list[float] = []
    policy = RetryPolicy(retries=5, backoff_seconds=2, max_wait_seconds=10, sleep=waits.append)
    attempt, tries = _failing(4)
    assert policy.run(attempt) == "done" and tries == [1, 2, 3, 4, 5]
    assert waits == [2, 4, 8, 10] and policy.waited_seconds == 24
    assert policy.retried == ["failure 1", "failure 2", "failure 3", "failure 4"]
    assert policy.delay(1, asked=7) == 7 and policy.delay(3, asked=1) == 8  # the longer one
    assert policy.delay(1, asked=10**6) == 10


def test_tries_run_out_with_the_last_reason() -> None:
    policy = RetryPolicy(retries=2, backoff_seconds=0, sleep=lambda _: None)
    attempt, tries = _failing(10)
    with pytest.raises(GaveUp) as gave_up:
        policy.run(attempt)
    assert (gave_up.value.reason, gave_up.value.tries, gave_up.value.deadline) == (
        "failure 3", 3, False
    )  # fmt: skip
    assert tries == [1, 2, 3]


def test_no_wait_begins_that_would_end_past_the_deadline() -> None:
    waits: list[float] = []
    policy = RetryPolicy(deadline=time.monotonic() + 5, sleep=waits.append)
    attempt, _ = _failing(1, wait=60)
    with pytest.raises(GaveUp) as gave_up:
        policy.run(attempt)
    assert gave_up.value.deadline and waits == []


def test_every_client_retries_through_the_one_policy() -> None:
    clients = Path(__file__).parents[1] / "leanetl" / "clients"
    for path in clients.glob("*.py"):
        if path.name != "retry.py":
            assert not re.search(r"\*\* ?\(?(attempt|tries)", path.read_text()), path.name
