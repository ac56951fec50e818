"""A loopback HTTP server in a thread, for fakes of JSON web APIs that real SDKs talk to."""

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class Response:
    status: int
    body: Any = None  # dict/list -> JSON; bytes/str sent as they are
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[Request], Response]


class FakeServer:
    """Serve ``route(request)`` on 127.0.0.1; every request is kept in ``requests``."""

    def __init__(self, route: Route) -> None:
        self.route = route
        self.requests: list[Request] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                fake.requests.append(request)
                try:
                    response = fake.route(request)
                except Exception as exc:  # a bug in the fake must show in the test, not hang it
                    response = Response(599, {"error": {"code": 599, "message": repr(exc)}})
                body = response.body
                if isinstance(body, dict | list):
                    data = json.dumps(body).encode()
                    content_type = "application/json; charset=UTF-8"
                else:
                    data = body.encode() if isinstance(body, str) else (body or b"")
                    content_type = "text/plain"
                self.send_response(response.status)
                self.send_header("Content-Type", content_type)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
