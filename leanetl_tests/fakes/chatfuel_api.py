"""A fake of Chatfuel's GraphQL endpoint over HTTP: the sample bot (``leanetl.sample.chatfuel_api``)
answers the operations, with the token checked, one HTTP 429 and one transient GraphQL error on
chosen requests, and the contacts export served as a file."""

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from leanetl.sample.chatfuel import export_bytes
from leanetl.sample.chatfuel_api import SampleBot
from leanetl_tests.fakes.http import FakeServer, Request, Response

TOKEN = "cf-test-token-5a1d9"


@dataclass
class FakeChatfuel:
    day: dt.date
    throttle_at: set[int] = field(default_factory=lambda: {2})  # GraphQL request numbers
    transient_at: set[int] = field(default_factory=lambda: {4})
    exports: bool = True  # False: every export task fails
    graphql_requests: list[dict] = field(default_factory=list)
    url: str = ""
    bot: SampleBot = field(init=False)

    def route(self, request: Request) -> Response:
        if request.method == "GET" and request.path.startswith("/exports/"):
            return Response(200, export_bytes(self.day))
        if request.path != "/graphql" or request.method != "POST":
            return Response(404, {"errors": [{"message": "not found"}]})
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            error = {"message": "unauthorized", "extensions": {"code": "Unauthorized"}}
            return Response(200, {"data": None, "errors": [error]})
        payload = json.loads(request.body)
        self.graphql_requests.append(payload)
        number = len(self.graphql_requests)
        if number in self.throttle_at:
            return Response(429, {"errors": [{"message": "slow down"}]}, {"Retry-After": "0"})
        if number in self.transient_at:
            error = {"message": "try again", "extensions": {"code": "InternalServerError"}}
            return Response(200, {"data": None, "errors": [error]})
        return Response(200, self.bot.execute(payload))

    @property
    def names_asked(self) -> list[int]:
        """How many attribute names each contacts request asked for."""
        return [
            len(p["variables"]["attrNames"])
            for p in self.graphql_requests
            if p.get("operationName") == "LeanetlContacts"
        ]


@contextmanager
def fake_chatfuel(day: dt.date, **options: object) -> Iterator[FakeChatfuel]:
    fake = FakeChatfuel(day, **options)  # type: ignore[arg-type]
    server = FakeServer(fake.route)
    with server:
        fake.url = server.url
        export_url = (lambda task: f"{server.url}/exports/{task}.csv") if fake.exports else None
        fake.bot = SampleBot(day, export_url=export_url)
        yield fake
