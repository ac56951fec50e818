"""Chatfuel's GraphQL API: the attribute catalogue, contacts, the CSV export task and the flows.

Operations are written from the names in Chatfuel's public schema (``chatfuel_operations.py``;
``chatfuel.graphql`` beside it is the part leanetl uses; the tests validate every operation
against it).
Throttling (HTTP 429), server errors (5xx), connection errors and GraphQL errors whose
``extensions.code`` is transient are retried by the clients' one policy (``clients.retry``:
exponential backoff, ``Retry-After`` honoured, every wait capped, the pull's deadline); anything
else raises ``ChatfuelError`` naming the operation. The token travels only
in the ``Authorization`` header, and error text is scrubbed by ``leanetl.lib.redact``.
"""

import datetime as dt
import functools
import inspect
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from leanetl.clients.chatfuel_http import NOT_JSON, Transport, retry_after
from leanetl.clients.chatfuel_operations import OPERATIONS, Attribute, ContactRow, value_text
from leanetl.clients.retry import GaveUp, Retry, RetryPolicy
from leanetl.lib.chatfuel.tasks import export_state
from leanetl.lib.redact import redact

TRANSIENT_CODES = frozenset({"InternalServerError", "RateLimited", "ServiceUnavailable"})
RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})


class ChatfuelError(Exception):
    """Chatfuel refused an operation, kept failing after retries, or an export did not finish."""


def _error_codes(body: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(code, message) of each GraphQL error; an ``errors`` that is not a list of objects is one
    error with its text."""
    errors = body.get("errors")
    if not errors:
        return []
    if not isinstance(errors, list):
        return [("", str(errors)[:500])]
    return [
        (str((e.get("extensions") or {}).get("code", "")), str(e.get("message", "")))
        if isinstance(e, dict) and isinstance(e.get("extensions") or {}, dict)
        else ("", str(e)[:500])
        for e in errors
    ]


def _malformed(status: int, body: Any) -> str | None:
    """Why an answer is not a GraphQL response at all (None when it is one)."""
    if body is NOT_JSON:
        return f"the answer is not JSON (HTTP {status})"
    if body is not None and not isinstance(body, dict):
        return f"the answer is a JSON {type(body).__name__}, not an object (HTTP {status})"
    return None


def _shaped(method: Callable[..., Any]) -> Callable[..., Any]:
    """An answer without the fields the operation asked for is a ``ChatfuelError`` naming the
    method, not a ``KeyError`` deep in leanetl (generators too)."""

    def refused(exc: Exception) -> ChatfuelError:
        return ChatfuelError(
            f"Chatfuel {method.__name__}: the answer lacks what was asked for "
            f"({type(exc).__name__}: {redact(exc)[:200]})"
        )

    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from method(*args, **kwargs)
            except (KeyError, TypeError, AttributeError, IndexError) as exc:
                raise refused(exc) from None

        return generator

    @functools.wraps(method)
    def function(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except (KeyError, TypeError, AttributeError, IndexError) as exc:
            raise refused(exc) from None

    return function


@dataclass
class ChatfuelClient:
    """One bot's API with retries; counts calls and retries for the metadata."""

    transport: Transport
    bot_id: str
    platforms: tuple[str, ...] = ("whatsapp",)
    page_size: int = 100
    names_per_request: int = 1_500
    retries: int = 5
    backoff_seconds: float = 2.0
    max_wait_seconds: float = 300.0  # the longest wait between tries, Retry-After included
    deadline: float | None = None  # time.monotonic() by which the whole pull must be done
    sleep: Callable[[float], None] = time.sleep
    calls: int = 0
    retried: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.policy = RetryPolicy(
            self.retries,
            self.backoff_seconds,
            self.max_wait_seconds,
            self.deadline,
            self.sleep,
            retried=self.retried,
        )

    def _deadline_error(self, operation: str) -> ChatfuelError:
        return ChatfuelError(
            f"Chatfuel {operation}: the pull's deadline (LEANETL_CHATFUEL_DEADLINE_SECONDS) "
            "would pass before it could finish"
        )

    def execute(self, operation: str, variables: dict[str, Any]) -> dict[str, Any]:
        """``data`` of one operation from ``OPERATIONS``, retried while the failure is transient."""
        payload = {
            "query": OPERATIONS[operation],
            "operationName": operation,
            "variables": variables,
        }

        def attempt(_: int) -> dict[str, Any]:
            self.calls += 1
            why, wait = self._attempt(operation, payload)
            if isinstance(why, dict):
                return why
            raise Retry(redact(f"{operation}: {why}"), wait)

        try:
            return self.policy.run(attempt)
        except GaveUp as exc:
            if exc.deadline:
                raise self._deadline_error(operation) from None
            raise ChatfuelError(f"Chatfuel {exc.reason} (after {exc.tries} tries)") from None

    def _attempt(self, operation: str, payload: dict[str, Any]) -> tuple[Any, float | None]:
        """(data, None) on success, (reason, wait or None) when worth retrying; raises otherwise."""
        try:
            status, body, headers = self.transport(payload)
        except requests.RequestException as exc:
            return f"connection failed: {type(exc).__name__}", None
        if status in RETRYABLE_STATUS:
            return f"HTTP {status}", retry_after(headers)
        if status in (401, 403):
            raise ChatfuelError(f"Chatfuel {operation}: HTTP {status}, the token was refused")
        malformed = _malformed(status, body)
        if malformed:
            raise ChatfuelError(f"Chatfuel {operation} failed: {malformed}")
        codes = _error_codes(body or {})
        if codes and all(code in TRANSIENT_CODES for code, _ in codes):
            return f"GraphQL error {codes[0][0]}: {codes[0][1]}", None
        if codes or status != 200 or not body or body.get("data") is None:
            detail = "; ".join(f"{c or 'error'}: {m}" for c, m in codes) or f"HTTP {status}"
            raise ChatfuelError(redact(f"Chatfuel {operation} failed: {detail}"))
        return body["data"], None

    def _pages(self, operation: str, variables: dict[str, Any], path: str) -> Iterator[list]:
        """Edges of a cursor-paged connection at ``bot.<path>``, one page at a time."""
        after = None
        while True:
            data = self.execute(operation, {**variables, "after": after})
            connection = data["bot"][path]
            yield connection["edges"]
            if not connection["pageInfo"]["hasNextPage"]:
                return
            after = connection["pageInfo"]["endCursor"]

    @_shaped
    def attributes(self) -> list[Attribute]:
        """Every system and custom attribute the bot has now (new names appear by themselves)."""
        variables = {"botID": self.bot_id, "platforms": list(self.platforms), "first": 500}
        found = []
        for edges in self._pages("LeanetlAttributes", variables, "botAttributes"):
            for edge in edges:
                node, attr = edge["node"], edge["node"]["botAttribute"]
                found.append(
                    Attribute(attr["name"], attr["type"], attr["dataType"], node["usersCount"])
                )
        return found

    @_shaped
    def contact_ids(self, segment: dict[str, Any] | None = None) -> Iterator[str]:
        """Ids of the contacts ``segment`` selects now (every contact without one)."""
        variables = {"botID": self.bot_id, "platforms": list(self.platforms)}
        variables |= {"first": self.page_size, "segment": segment}
        for edges in self._pages("LeanetlContactIDs", variables, "contactsConnection"):
            yield from (str(edge["node"]["id"]) for edge in edges)

    @_shaped
    def contacts(self, names: list[str]) -> Iterator[list[ContactRow]]:
        """Pages of contacts with the values of ``names``, asked for ``names_per_request`` names
        at a time (Chatfuel refuses more) and joined per contact id."""
        variables = {"botID": self.bot_id, "platforms": list(self.platforms)}
        variables |= {"first": self.page_size, "segment": None}
        batches = [
            names[i : i + self.names_per_request]
            for i in range(0, len(names), self.names_per_request)
        ] or [[]]
        after = None
        while True:
            rows: dict[str, ContactRow] = {}
            for batch in batches:
                data = self.execute(
                    "LeanetlContacts", {**variables, "after": after, "attrNames": batch}
                )
                connection = data["bot"]["contactsConnection"]
                for edge in connection["edges"]:
                    node = edge["node"]
                    row = rows.setdefault(
                        str(node["id"]), ContactRow(str(node["id"]), node["name"], {})
                    )
                    for item in node["attributes"]:
                        row.values[item["attr"]["name"]] = value_text(item["value"])
            yield list(rows.values())
            if not connection["pageInfo"]["hasNextPage"]:
                return
            after = connection["pageInfo"]["endCursor"]

    @_shaped
    def flows(self) -> list[dict[str, Any]]:
        """Every flow of the bot (grouped or not), with blocks, elements and audiences."""
        bot = self.execute("LeanetlFlows", {"botID": self.bot_id})["bot"]
        grouped = [flow for group in bot["flowGroups"] for flow in group["flows"]]
        return grouped + bot["flowsWithoutGroup"]

    @_shaped
    def start_export(self) -> dict[str, Any]:
        """Start a CSV export of every contact with every attribute; the task as answered."""
        variables = {"botID": self.bot_id, "platforms": list(self.platforms)}
        return self.execute("LeanetlExportStart", variables)["csvContactExportStartBySegment"]

    @_shaped
    def task(self, task_id: str) -> dict[str, Any]:
        return self.execute("LeanetlExportTask", {"id": task_id})["getTask"]

    def export_url(self, poll_seconds: float, max_polls: int) -> str:
        """Start an export and poll it until its file is ready: the file's URL.

        Raises ``ChatfuelError`` when the task fails, is cancelled, passes its deadline or is
        still running after ``max_polls`` polls.
        """
        task = self.start_export()
        task_id = str(task.get("id", "?"))[:80]
        for polls in range(max_polls + 1):
            try:
                state, detail = export_state(task, dt.datetime.now(dt.UTC))
            except (KeyError, TypeError, ValueError) as exc:  # a task of another shape
                state, detail = "failed", f"unreadable task ({type(exc).__name__})"
            if state == "finished":
                return detail
            if state == "failed":
                # The server's words: scrubbed (by value and by shape) before they go anywhere.
                raise ChatfuelError(redact(f"Chatfuel contacts export {task_id}: {detail}"))
            if polls == max_polls:
                break
            if self.policy.past_deadline(poll_seconds):
                raise self._deadline_error("LeanetlExportTask")
            self.sleep(poll_seconds)
            task = self.task(task_id)
        raise ChatfuelError(
            redact(f"Chatfuel contacts export {task_id} still running after {max_polls} polls")
        )


def download(url: str, path: Path, timeout: float = 300.0) -> int:
    """Stream the file at ``url`` (an export's signed URL: no token is sent) to ``path``. Any
    failure is a ``ChatfuelError`` that never quotes the URL (its query string is a secret)."""
    try:
        with requests.get(url, stream=True, timeout=min(timeout, 60.0)) as response:
            if response.status_code != 200:
                raise ChatfuelError(f"Chatfuel export download: HTTP {response.status_code}")
            deadline = time.monotonic() + timeout
            with path.open("wb") as handle:
                for chunk in response.iter_content(1 << 20):
                    handle.write(chunk)
                    if time.monotonic() > deadline:
                        raise ChatfuelError(f"Chatfuel export download: over {timeout:g} s")
    except requests.RequestException as exc:
        raise ChatfuelError(f"Chatfuel export download failed: {type(exc).__name__}") from None
    return path.stat().st_size
