"""A fake Facebook Graph API serving recorded insights shapes (numbers as strings, action arrays,
paging cursors), async report runs and throttling errors, over HTTP for the real SDK."""

import copy
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from leanetl_tests.conftest import FIXTURES
from leanetl_tests.fakes.http import FakeServer, Request, Response

RECORDED = FIXTURES / "facebook_ads"


def recorded_row() -> dict[str, Any]:
    """One insights row exactly as the Graph API returned it (airbyte's recording)."""
    page = json.loads(
        (RECORDED / "airbyte_ads_insights_action_product_id.graph_response.json").read_text()
    )
    return page["data"][0]


def throttled() -> Response:
    """The recorded ad-account throttling error (code 80000) with its usage header."""
    recorded = json.loads((RECORDED / "airbyte_rate_limit_error_80000.json").read_text())
    return Response(recorded["status_code"], recorded["json"], dict(recorded["headers"]))


RowsFor = Callable[[dict[str, Any]], list[dict[str, Any]]]


def request_params(request: Request) -> dict[str, Any]:
    """The Graph API call's parameters (query, or form body for POST), JSON values decoded."""
    raw = dict(request.query)
    if request.method == "POST" and request.body:
        raw |= dict(parse_qsl(request.body.decode(), keep_blank_values=True))
    params: dict[str, Any] = {}
    for name, value in raw.items():
        try:
            params[name] = json.loads(value)
        except ValueError:
            params[name] = value
    return params


class FakeGraphApi(FakeServer):
    """``rows`` is either the fixed rows of every insights query or a function of its params."""

    def __init__(
        self, rows: list[dict[str, Any]] | RowsFor, page_size: int = 2, polls_to_finish: int = 2
    ) -> None:
        super().__init__(self._route)
        self.rows_for: RowsFor = rows if callable(rows) else (lambda _params: rows)
        self.page_size = page_size
        self.polls_to_finish = polls_to_finish
        self.failures: list[Response] = []
        self.polls = 0
        self.usage_header: dict[str, str] = {}
        self.queries: list[dict[str, Any]] = []  # params of every insights query and report run
        self._results: dict[str, list[dict[str, Any]]] = {}
        self._runs = 0

    def _page(self, request: Request, base: str, result: str) -> Response:
        rows = self._results[result]
        start = int(request.query.get("after", "0") or 0)
        body: dict[str, Any] = {
            "data": copy.deepcopy(rows[start : start + self.page_size]),
            "paging": {"cursors": {"before": str(start)}},
        }
        if start + self.page_size < len(rows):
            after = start + self.page_size
            body["paging"]["cursors"]["after"] = str(after)
            # Like the Graph API, the next page's URL carries the caller's token.
            body["paging"]["next"] = (
                f"{self.url}{base}?access_token={self._token(request)}"
                f"&limit={self.page_size}&after={after}&result={result}"
            )
        return Response(200, body, dict(self.usage_header))

    def _query(self, request: Request) -> str:
        params = request_params(request)
        self.queries.append(params)
        result = str(len(self._results))
        self._results[result] = self.rows_for(params)
        return result

    @staticmethod
    def _token(request: Request) -> str:
        header = request.headers.get("authorization", "")
        return header.split(" ", 1)[1] if " " in header else request.query.get("access_token", "")

    def _route(self, request: Request) -> Response:
        if self.failures:
            return self.failures.pop(0)
        if not self._token(request):
            return Response(
                400,
                {
                    "error": {
                        "message": "An active access token must be used to query information.",
                        "type": "OAuthException",
                        "code": 2500,
                    }
                },
            )
        parts = request.path.strip("/").split("/")  # version, node, [edge]
        node, edge = parts[1], parts[2] if len(parts) > 2 else ""
        if node.startswith("act_") and edge == "insights":
            if request.method == "POST":
                self.polls = 0
                self._runs += 1
                run_id = str(6020000000000 + self._runs)
                self._results[run_id] = self._results[self._query(request)]
                return Response(200, {"report_run_id": run_id})
            result = request.query.get("result") or self._query(request)
            return self._page(request, request.path, result)
        if node in self._results and not edge:
            self.polls += 1
            done = self.polls >= self.polls_to_finish
            status = "Job Completed" if done else "Job Running"
            percent = 100 if done else 50
            return Response(
                200, {"id": node, "async_status": status, "async_percent_completion": percent}
            )
        if node in self._results and edge == "insights":
            return self._page(request, request.path, request.query.get("result") or node)
        return Response(
            400,
            {
                "error": {
                    "message": f"Unknown path {request.path}",
                    "type": "GraphMethodException",
                    "code": 100,
                }
            },
        )
