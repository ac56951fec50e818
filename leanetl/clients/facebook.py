"""Facebook Marketing API insights through the facebook-business SDK's transport.

Pages follow the API's ``paging.next`` cursors; large requests go through async report runs
(``POST /act_<id>/insights`` -> poll ``/<report_run_id>`` -> read its pages) with a polling limit.
Throttling and transient error codes (1, 2, 4, 17, 32, 341, 613, 80000-80014), HTTP 5xx and
connection errors are retried with exponential backoff, waiting longer when the usage headers say
when access comes back; a call whose usage headers pass ``usage_pause_percent`` pauses before the
next one. The token travels in the ``Authorization`` header and every error message is scrubbed
of secrets (``leanetl.lib.redact``) before it leaves this module.
"""

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from facebook_business.api import FacebookAdsApi, FacebookResponse
from facebook_business.exceptions import FacebookRequestError
from facebook_business.session import FacebookSession

from leanetl.clients.retry import GaveUp, Retry, RetryPolicy
from leanetl.lib.redact import redact

RETRYABLE_CODES = frozenset({1, 2, 4, 17, 32, 341, 613, *range(80000, 80015)})
USAGE_HEADERS = ("x-business-use-case-usage", "x-ad-account-usage", "x-app-usage")
DONE, FAILED = "Job Completed", ("Job Failed", "Job Skipped")


class InsightsError(Exception):
    """The Graph API refused, or kept failing after retries, or a report run did not finish."""


def make_api(access_token: str, graph_url: str = FacebookSession.GRAPH) -> FacebookAdsApi:
    """An SDK API object; ``graph_url`` points it at a proxy or a test fake.

    The SDK puts the token into every URL's query, where any error message about the request
    (``ConnectionError … url: …?access_token=…``) would carry it: it goes in the
    ``Authorization`` header instead, which the Graph API accepts alike.
    """
    session = FacebookSession(access_token=access_token)
    session.GRAPH = graph_url.rstrip("/")
    session.requests.params.pop("access_token", None)
    session.requests.headers["Authorization"] = f"OAuth {access_token}"
    return FacebookAdsApi(session)


def without_token(url: str) -> str:
    """A ``paging.next`` URL without the ``access_token`` the Graph API puts into it."""
    parts = urlsplit(url)
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "access_token"
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def usage(headers: Mapping[str, str]) -> tuple[float, float]:
    """(highest usage percent, seconds until access is regained) from the usage headers."""
    percent, regain_minutes = 0.0, 0.0
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in USAGE_HEADERS:
        raw = lowered.get(name)
        if not raw:
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            continue
        entries: list[dict[str, Any]] = []
        if name == "x-business-use-case-usage" and isinstance(value, dict):
            entries = [e for items in value.values() for e in items if isinstance(e, dict)]
        elif isinstance(value, dict):
            entries = [value]
        for entry in entries:
            for key in ("call_count", "total_cputime", "total_time", "acc_id_util_pct"):
                if isinstance(entry.get(key), int | float):
                    percent = max(percent, float(entry[key]))
            for key in ("estimated_time_to_regain_access", "reset_time_duration"):
                if isinstance(entry.get(key), int | float):
                    regain_minutes = max(regain_minutes, float(entry[key]))
    return percent, regain_minutes * 60


def graph_policy(
    retries: int = 5, backoff_seconds: float = 5.0, sleep: Callable[[float], None] = time.sleep
) -> RetryPolicy:
    """The retry policy for the Graph API: throttling asks for minutes, so waits of up to ten."""
    return RetryPolicy(retries, backoff_seconds, max_wait_seconds=600.0, sleep=sleep)


@dataclass
class GraphClient:
    """Calls with retries and usage-aware pauses; counts calls and waits for the metadata."""

    api: FacebookAdsApi
    policy: RetryPolicy = field(default_factory=graph_policy)
    usage_pause_percent: float = 90.0
    calls: int = 0
    retried: list[int] = field(default_factory=list)  # the error code (0: no answer) of each

    @property
    def waited_seconds(self) -> float:
        return self.policy.waited_seconds

    def call(self, method: str, path: str | tuple, params: dict[str, Any] | None = None) -> Any:
        """The answer's JSON body, retried (``clients.retry``) while the failure is transient."""
        try:
            body = self.policy.run(lambda tries: self._try(method, path, params, tries))
        except GaveUp as exc:
            raise InsightsError(f"{exc.reason} after {exc.tries} attempts") from None
        return body

    def _try(
        self, method: str, path: str | tuple, params: dict[str, Any] | None, tries: int
    ) -> Any:
        self.calls += 1
        after = f" after {tries} attempts" if tries > 1 else ""
        try:
            response: FacebookResponse = self.api.call(method, path, params=params)
        except FacebookRequestError as exc:
            code = exc.api_error_code()
            reason = redact(
                f"Graph API error {code} ({exc.api_error_type()}): {exc.api_error_message()}"
            )
            if code not in RETRYABLE_CODES and (exc.http_status() or 0) < 500:
                raise InsightsError(reason + after) from None
            self.retried.append(code or exc.http_status())
            raise Retry(reason, usage(exc.http_headers() or {})[1]) from None
        except requests.RequestException as exc:
            # Connection refused, timeouts, broken responses: transient, retried; the message
            # names the request's URL, so it is scrubbed and the original not chained.
            self.retried.append(0)
            raise Retry(redact(f"Graph API unreachable: {type(exc).__name__}: {exc}")) from None
        # The SDK takes any non-JSON body as a success, even a proxy's HTML 500.
        status, body = response.status(), response.json()
        if status >= 400 or not isinstance(body, dict):
            reason = redact(f"Graph API answered HTTP {status} without JSON: {str(body)[:300]}")
            if status < 500:
                raise InsightsError(reason + after)
            self.retried.append(status)
            raise Retry(reason)
        percent, regain = usage(response.headers())
        if percent >= self.usage_pause_percent:
            self.policy.pause(max(regain, self.policy.backoff_seconds))
        return body

    def pages(self, path: str | tuple, params: dict[str, Any] | None) -> Iterator[list[dict]]:
        """Each page's ``data``, following ``paging.next`` until there is none."""
        body = self.call("GET", path, params)
        while True:
            yield body.get("data", [])
            following = (body.get("paging") or {}).get("next")
            if not following:
                return
            body = self.call("GET", without_token(following))


def report_run(
    client: GraphClient,
    account_id: str,
    params: dict[str, Any],
    poll_seconds: float = 10.0,
    max_polls: int = 90,
) -> Iterator[list[dict]]:
    """An async insights report: start it, poll until done (at most ``max_polls``), read pages."""
    started = client.call("POST", (f"act_{account_id}", "insights"), params)
    run_id = started["report_run_id"]
    for _ in range(max_polls):
        status = client.call("GET", (run_id,), {"fields": "async_status,async_percent_completion"})
        if status.get("async_status") == DONE:
            yield from client.pages((run_id, "insights"), {"limit": params.get("limit", 500)})
            return
        if status.get("async_status") in FAILED:
            raise InsightsError(f"report run {run_id} ended with {status.get('async_status')}")
        client.policy.pause(poll_seconds)
    raise InsightsError(f"report run {run_id} not finished after {max_polls} polls")


def insights(
    client: GraphClient,
    account_id: str,
    params: dict[str, Any],
    use_async: bool,
    poll_seconds: float = 10.0,
    max_polls: int = 90,
) -> list[dict]:
    """Every insights row of ``params`` for ad account ``account_id`` (without the ``act_``)."""
    pages = (
        report_run(client, account_id, params, poll_seconds, max_polls)
        if use_async
        else client.pages((f"act_{account_id}", "insights"), params)
    )
    return [row for page in pages for row in page]
