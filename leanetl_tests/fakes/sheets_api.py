"""A fake Google Sheets API v4 (and OAuth token endpoint) replaying recorded gspread cassettes.

Spreadsheets come from the VCR cassettes in ``fixtures/google_sheets`` (metadata and values
responses byte-for-byte as recorded) or are added in the same shape with ``add_sheet``. A values
request is answered by the recorded response with the same query; when the client asks with
options the cassette did not record, the last recorded response for that range is served.
``fail_next`` queues error responses in the API's error shape (throttling, outages).
"""

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from leanetl_tests.fakes.google_auth import service_account_info
from leanetl_tests.fakes.http import FakeServer, Request, Response

__all__ = ["FakeSheetsApi", "service_account_info"]

TOKEN = "fake-access-token"
STATUS_NAMES = {
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
}


class FakeSheetsApi(FakeServer):
    def __init__(self) -> None:
        super().__init__(self._route)
        self.metadata: dict[str, dict[str, Any]] = {}
        # (spreadsheet id, range, frozenset(query)) -> ValueRange
        self.values: dict[tuple[str, str, frozenset], dict[str, Any]] = {}
        self.failures: list[Response] = []
        self.tokens_issued = 0

    # -- set-up ------------------------------------------------------------------------------
    def load_cassette(self, path: Path) -> str:
        """Register the spreadsheet recorded in a cassette; returns its id."""
        interactions = json.loads(path.read_text())["interactions"]
        spreadsheet_id = ""
        for item in interactions:
            request, response = item["request"], item["response"]
            if request["method"] != "GET" or response["status"]["code"] != 200:
                continue
            parts = urlsplit(request["uri"])
            segments = parts.path.split("/")
            if parts.netloc != "sheets.googleapis.com":
                continue
            body = json.loads(response["body"]["string"])
            spreadsheet_id = segments[3]
            if len(segments) == 4:
                self.metadata[spreadsheet_id] = body
            elif segments[4] == "values":
                query = frozenset(parse_qsl(parts.query))
                self.values[(spreadsheet_id, unquote(segments[5]), query)] = body
        return spreadsheet_id

    def add_sheet(
        self,
        spreadsheet_id: str,
        worksheet: str,
        rows: list[list[Any]],
        timezone: str = "America/Chicago",
        template: str = "",
    ) -> None:
        """A spreadsheet in the recorded shape (metadata copied from ``template``'s recording)."""
        base = (
            copy.deepcopy(self.metadata[template])
            if template
            else {"properties": {}, "sheets": [{"properties": {}}]}
        )
        base["spreadsheetId"] = spreadsheet_id
        base["properties"].update({"title": f"{worksheet} (test)", "timeZone": timezone})
        sheet = base["sheets"][0]["properties"]
        sheet.update({"sheetId": 0, "title": worksheet, "index": 0, "sheetType": "GRID"})
        sheet["gridProperties"] = {"rowCount": max(1000, len(rows)), "columnCount": 26}
        base["sheets"] = [{"properties": sheet}]
        self.metadata[spreadsheet_id] = base
        width = max((len(r) for r in rows), default=0)
        value_range: dict[str, Any] = {
            "range": f"'{worksheet}'!A1:{chr(64 + max(width, 1))}{max(len(rows), 1)}",
            "majorDimension": "ROWS",
        }
        if rows:
            value_range["values"] = rows  # the API omits "values" for an empty range
        self.values[(spreadsheet_id, f"'{worksheet}'", frozenset())] = value_range

    def fail_next(self, status: int, times: int = 1, message: str = "") -> None:
        body = {
            "error": {
                "code": status,
                "message": message or f"Simulated {STATUS_NAMES.get(status, 'error')}",
                "status": STATUS_NAMES.get(status, "UNKNOWN"),
            }
        }
        self.failures.extend(Response(status, body) for _ in range(times))

    @property
    def api_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.startswith("/v4/")]

    # -- serving -----------------------------------------------------------------------------
    def _route(self, request: Request) -> Response:
        if request.path == "/token":
            assert (
                b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer" in request.body
            )
            self.tokens_issued += 1
            return Response(
                200, {"access_token": TOKEN, "expires_in": 3600, "token_type": "Bearer"}
            )
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return Response(
                401,
                {
                    "error": {
                        "code": 401,
                        "message": "Request had invalid authentication credentials.",
                        "status": "UNAUTHENTICATED",
                    }
                },
            )
        if self.failures:
            return self.failures.pop(0)
        segments = request.path.split("/")
        if len(segments) < 4 or segments[1:3] != ["v4", "spreadsheets"]:
            return Response(
                404, {"error": {"code": 404, "message": "Not found", "status": "NOT_FOUND"}}
            )
        spreadsheet_id = segments[3]
        if spreadsheet_id not in self.metadata:
            return Response(
                404,
                {
                    "error": {
                        "code": 404,
                        "message": "Requested entity was not found.",
                        "status": "NOT_FOUND",
                    }
                },
            )
        if len(segments) == 4:
            return Response(200, self.metadata[spreadsheet_id])
        a1 = unquote(segments[5])
        query = frozenset(request.query.items())
        exact = self.values.get((spreadsheet_id, a1, query))
        if exact is not None:
            return Response(200, exact)
        same_range = [
            v for (sid, rng, _), v in self.values.items() if sid == spreadsheet_id and rng == a1
        ]
        if same_range:
            return Response(200, same_range[-1])
        return Response(
            400,
            {
                "error": {
                    "code": 400,
                    "message": f"Unable to parse range: {a1}",
                    "status": "INVALID_ARGUMENT",
                }
            },
        )
