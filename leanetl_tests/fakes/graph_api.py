"""A fake Facebook Graph API serving recorded insights shapes (numbers as strings, action arrays,
paging cursors), async report runs and throttling errors, over HTTP for the real SDK."""

import copy
import json
from typing import Any

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


class FakeGraphApi(FakeServer):
    def __init__(
        self, rows: list[dict[str, Any]], page_size: int = 2, polls_to_finish: int = 2
    ) -> None:
        super().__init__(self._route)
        self.rows = rows
        self.page_size = page_size
        self.polls_to_finish = polls_to_finish
        self.failures: list[Response] = []
        self.polls = 0
        self.usage_header: dict[str, str] = {}

    def _page(self, request: Request, base: str) -> Response:
        start = int(request.query.get("after", "0") or 0)
        rows = self.rows[start : start + self.page_size]
        body: dict[str, Any] = {
            "data": copy.deepcopy(rows),
            "paging": {"cursors": {"before": str(start)}},
        }
        if start + self.page_size < len(self.rows):
            after = start + self.page_size
            body["paging"]["cursors"]["after"] = str(after)
            body["paging"]["next"] = f"{self.url}{base}?limit={self.page_size}&after={after}"
        return Response(200, body, dict(self.usage_header))

    def _route(self, request: Request) -> Response:
        if self.failures:
            return self.failures.pop(0)
        parts = request.path.strip("/").split("/")  # version, node, [edge]
        node, edge = parts[1], parts[2] if len(parts) > 2 else ""
        if node.startswith("act_") and edge == "insights":
            if request.method == "POST":
                self.polls = 0
                return Response(200, {"report_run_id": "6020000000001"})
            return self._page(request, request.path)
        if node == "6020000000001" and not edge:
            self.polls += 1
            done = self.polls >= self.polls_to_finish
            status = "Job Completed" if done else "Job Running"
            percent = 100 if done else 50
            return Response(
                200, {"id": node, "async_status": status, "async_percent_completion": percent}
            )
        if node == "6020000000001" and edge == "insights":
            return self._page(request, request.path)
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
