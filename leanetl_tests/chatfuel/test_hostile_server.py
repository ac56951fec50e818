"""A Chatfuel server that misbehaves: odd bodies, odd headers, endless waits, trickled answers,
echoed secrets. Every case ends in a ChatfuelError naming the operation, in bounded time, with
nothing secret in its text."""

import socket
import threading
import time
from pathlib import Path

import pytest

from leanetl.clients.chatfuel import (
    ChatfuelClient,
    ChatfuelError,
    download,
)
from leanetl.clients.chatfuel_http import http_transport, retry_after
from leanetl.lib.redact import redact

TOKEN = "cfSECRETtoken-9f8e7d"


def _client(replies: list, **options) -> tuple[ChatfuelClient, list[float]]:
    waits: list[float] = []
    answers = iter(replies)

    def transport(payload):
        return next(answers)

    client = ChatfuelClient(transport, "bot-1", sleep=waits.append, **options)
    return client, waits


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ([1], "a JSON list, not an object"),
        ({"errors": "boom"}, "boom"),
        ({"errors": [1, "x"]}, "1"),
        ({"data": {"bot": None}}, "lacks what was asked for"),
        ({"data": {"bot": {"flowGroups": [{"flows": 3}]}}}, "lacks what was asked for"),
    ],
)
def test_an_answer_of_another_shape_is_a_chatfuel_error(body, said) -> None:
    client, _ = _client([(200, body, {})])
    with pytest.raises(ChatfuelError, match=said):
        client.flows()


def test_a_body_that_is_not_json_says_so() -> None:
    from leanetl.clients.chatfuel import NOT_JSON

    client, _ = _client([(200, NOT_JSON, {})])
    with pytest.raises(ChatfuelError, match="not JSON"):
        client.flows()


def test_retry_after_is_read_as_ascii_digits_and_every_wait_is_capped() -> None:
    assert retry_after({"Retry-After": "²"}) is None
    assert retry_after({"Retry-After": "12"}) == 12.0
    assert retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) is None
    ok = (200, {"data": {"bot": {"flowGroups": [], "flowsWithoutGroup": []}}}, {})
    client, waits = _client(
        [(429, None, {"Retry-After": "100000"}), (503, None, {"Retry-After": "²"}), ok],
        max_wait_seconds=30,
    )
    assert client.flows() == []
    assert waits == [30, 4.0]  # capped; an unreadable header falls back to the backoff


def test_the_pulls_deadline_stops_retries_before_waiting_past_it() -> None:
    client, waits = _client(
        [(503, None, {"Retry-After": "60"})] * 3, deadline=time.monotonic() + 10
    )
    with pytest.raises(ChatfuelError, match="deadline"):
        client.flows()
    assert waits == []


def test_max_polls_polls_that_many_times() -> None:
    running = {"id": "t1", "statuses": [{"startedAt": "2026-01-01T00:00:00Z", "type": "Created"}]}
    started = (200, {"data": {"csvContactExportStartBySegment": running}}, {})
    poll = (200, {"data": {"getTask": running}}, {})
    client, waits = _client([started, poll, poll, poll, poll])
    with pytest.raises(ChatfuelError, match="after 3 polls"):
        client.export_url(poll_seconds=1, max_polls=3)
    assert client.calls == 1 + 3 and waits == [1, 1, 1]


def test_a_task_status_that_echoes_the_token_is_scrubbed(monkeypatch) -> None:
    monkeypatch.setenv("LEANETL_CHATFUEL_TOKEN", TOKEN)
    echoed = {
        "id": "t1",
        "statuses": [
            {"startedAt": "2026-01-01T00:00:00Z", "type": f"Authorization: Bearer {TOKEN}"}
        ],
        "deadline": "2000-01-01T00:00:00Z",
    }
    client, _ = _client([(200, {"data": {"csvContactExportStartBySegment": echoed}}, {})])
    with pytest.raises(ChatfuelError) as refused:
        client.export_url(poll_seconds=1, max_polls=1)
    assert TOKEN not in str(refused.value) and "deadline" in str(refused.value)


def _server(handle) -> tuple[str, threading.Event]:
    """A raw TCP server on loopback answering one connection at a time with ``handle``."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                handle(conn, stop)
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}", stop


def _trickle(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
    )
    for _ in range(40):  # a byte every 0.25 s: each read is quick, the whole never comes
        if stop.wait(0.25):
            return
        try:
            conn.sendall(b" ")
        except OSError:
            return


def test_a_trickled_answer_is_cut_at_the_calls_wall_time() -> None:
    url, stop = _server(_trickle)
    try:
        client = ChatfuelClient(http_transport(url, TOKEN, timeout=1.0), "b", retries=1,
                                sleep=lambda _: None)  # fmt: skip
        started = time.monotonic()
        with pytest.raises(ChatfuelError, match="CallTooSlow"):
            client.flows()
        assert time.monotonic() - started < 6  # two tries of ≈ 1 s, not 10 s of trickle
    finally:
        stop.set()


def test_a_download_that_fails_never_quotes_the_signed_url(tmp_path: Path) -> None:
    signed = (
        "http://127.0.0.1:9/export.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAEXAMPLE%2F20261207&X-Amz-Signature=0123456789abcdef"
    )
    with pytest.raises(ChatfuelError) as failed:
        download(signed, tmp_path / "x.csv", timeout=2)
    assert "X-Amz" not in str(failed.value) and "0123456789abcdef" not in str(failed.value)
    assert "0123456789abcdef" not in redact(f"ConnectionError: {signed}")
