"""Chatfuel's GraphQL over HTTP: one POST per call, bounded in wall time from connecting to the
last byte, the token only in the ``Authorization`` header; its answers as (status, body,
headers) for the client to judge."""

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests

# (HTTP status, JSON body (any JSON value, None, or NOT_JSON), response headers) of one request.
Reply = tuple[int, Any, Mapping[str, str]]
Transport = Callable[[dict[str, Any]], Reply]


class CallTooSlow(requests.RequestException):
    """One HTTP call took longer than its wall-time bound (a server trickling its answer)."""


NOT_JSON = object()  # a body that is not JSON at all


def read_bounded(response: requests.Response, seconds: float) -> bytes:
    """The whole body of a streamed response, or ``CallTooSlow`` once ``seconds`` have passed
    (``requests``' own timeout bounds each read, not the whole body: a server trickling a byte
    at a time would never time out). ``read1`` returns whatever has arrived, so the clock is
    looked at after every arrival."""
    deadline = time.monotonic() + seconds
    chunks = []
    while True:
        chunk = response.raw.read1(64 * 1024, decode_content=True)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        if time.monotonic() > deadline:
            response.close()
            raise CallTooSlow(f"answer not complete after {seconds:g} s")


def http_transport(url: str, token: str, timeout: float = 60.0) -> Transport:
    """POST GraphQL requests to ``url`` with the token in the ``Authorization`` header; each
    call, connecting to its last byte, takes at most ``timeout`` seconds."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def post(payload: dict[str, Any]) -> Reply:
        started = time.monotonic()
        with session.post(url, json=payload, timeout=min(timeout, 30.0), stream=True) as response:
            left = timeout - (time.monotonic() - started)
            data = read_bounded(response, max(left, 0.0))
        try:
            body = json.loads(data)
        except ValueError:
            body = NOT_JSON
        return response.status_code, body, response.headers

    return post


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds a ``Retry-After`` header asks for (ASCII digits only), else None."""
    text = str(headers.get("Retry-After", "")).strip()
    return float(text) if text.isascii() and text.isdigit() else None
