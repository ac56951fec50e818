"""Google Sheets through gspread: read one worksheet's values as the API returns them.

Values are read ``UNFORMATTED_VALUE`` with ``SERIAL_NUMBER`` dates, so a date a person typed into a
cell arrives as a Sheets serial number (unambiguous) rather than in the sheet's display format.
Throttling (429) and server errors (5xx) are retried by the clients' one policy
(``clients.retry``); anything still
failing raises ``SheetsUnavailable`` with the reason, which callers use to fall back to an export.
"""

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gspread
import requests
from google.auth.exceptions import GoogleAuthError
from google.auth.transport.requests import AuthorizedSession
from google.oauth2.service_account import Credentials

from leanetl.clients.retry import GaveUp, Retry, RetryPolicy
from leanetl.lib.redact import redact

SCOPES = ("https://www.googleapis.com/auth/spreadsheets.readonly",)
GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
RETRYABLE_CODES = frozenset({408, 429, 500, 502, 503, 504})


class SheetsUnavailable(Exception):
    """The sheet could not be read (not configured, refused, or still failing after retries)."""


@dataclass(frozen=True)
class SheetValues:
    """One worksheet's cells: ``rows[0]`` is the sheet row ``first_row`` (1-based)."""

    spreadsheet_title: str
    worksheet_title: str
    timezone: str
    first_row: int
    rows: list[list[Any]]
    attempts: int


def load_credentials(secret: str) -> Credentials:
    """Service-account credentials from JSON text or a path to it (resources pass
    LEANETL_LEADS_SHEETS_CREDENTIALS, else GOOGLE_APPLICATION_CREDENTIALS)."""
    secret = secret.strip()
    if not secret:
        raise SheetsUnavailable(
            "no service-account credentials (LEANETL_LEADS_SHEETS_CREDENTIALS or "
            "GOOGLE_APPLICATION_CREDENTIALS)"
        )
    try:
        info = (
            json.loads(secret) if secret.startswith("{") else json.loads(Path(secret).read_text())
        )
        return Credentials.from_service_account_info(info, scopes=SCOPES)
    except (OSError, ValueError, KeyError) as exc:
        # The message names the problem but never echoes the secret itself.
        raise SheetsUnavailable(
            f"service-account credentials unreadable: {type(exc).__name__}"
        ) from None


class _ApiSession(AuthorizedSession):
    """An authorised session that sends Google API calls to ``api_url`` (a proxy or a test fake)."""

    def __init__(self, credentials: Credentials, api_url: str) -> None:
        super().__init__(credentials)
        self._api_url = api_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        for host in GOOGLE_HOSTS:
            if url.startswith(host) and self._api_url not in GOOGLE_HOSTS:
                url = self._api_url + url[len(host) :]
        return super().request(method, url, *args, **kwargs)


def _first_row(a1_range: str) -> int:
    """Row number where a ValueRange starts: ``'Sheet1'!A3:D9`` -> 3."""
    match = re.search(r"![A-Z]*(\d+)", a1_range or "")
    return int(match.group(1)) if match else 1


def read_worksheet(
    credentials: Credentials,
    spreadsheet_key: str,
    worksheet: str = "",
    api_url: str = GOOGLE_HOSTS[0],
    retries: int = 4,
    backoff_seconds: float = 2.0,
    timeout_seconds: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> SheetValues:
    """All values of ``worksheet`` (the first one when empty) of spreadsheet ``spreadsheet_key``."""
    client = gspread.Client(auth=credentials, session=_ApiSession(credentials, api_url))
    client.set_timeout(timeout_seconds)
    policy = RetryPolicy(retries, backoff_seconds, sleep=sleep)
    try:
        return policy.run(lambda tries: _read(client, spreadsheet_key, worksheet, tries))
    except GaveUp as exc:
        raise SheetsUnavailable(f"{exc.reason} (after {exc.tries} attempts)") from None


def _read(client: gspread.Client, spreadsheet_key: str, worksheet: str, tries: int) -> SheetValues:
    """One try; ``Retry`` when the failure is transient (429, 5xx, no answer)."""
    try:
        spreadsheet = client.open_by_key(spreadsheet_key)
        sheet = spreadsheet.worksheet(worksheet) if worksheet else spreadsheet.get_worksheet(0)
        values = sheet.get(
            value_render_option=gspread.utils.ValueRenderOption.unformatted,
            date_time_render_option=gspread.utils.DateTimeOption.serial_number,
        )
    except gspread.exceptions.SpreadsheetNotFound:
        raise SheetsUnavailable(f"spreadsheet {spreadsheet_key} not found") from None
    except PermissionError as exc:
        # gspread raises a bare PermissionError for 403 when opening: keep the API's message.
        cause = exc.__cause__
        detail = (
            cause.error.get("message", "") if isinstance(cause, gspread.exceptions.APIError) else ""
        )
        raise SheetsUnavailable(f"Sheets API error 403: {detail}".strip()) from None
    except gspread.exceptions.WorksheetNotFound:
        raise SheetsUnavailable(
            f"spreadsheet {spreadsheet_key} has no worksheet {worksheet!r}"
        ) from None
    except gspread.exceptions.APIError as exc:
        reason = redact(f"Sheets API error {exc.code}: {exc.error.get('message', '')}".strip())
        if exc.code not in RETRYABLE_CODES:
            raise SheetsUnavailable(reason) from None
        raise Retry(reason) from None
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise Retry(f"Sheets API unreachable: {type(exc).__name__}") from None
    except GoogleAuthError as exc:
        raise SheetsUnavailable(redact(f"Google authentication failed: {exc}")) from None
    rows = [list(row) for row in values]
    while rows and not rows[-1]:  # gspread gives [[]] for a sheet with no values
        rows.pop()
    return SheetValues(
        spreadsheet_title=spreadsheet.title,
        worksheet_title=sheet.title,
        timezone=spreadsheet.timezone,
        first_row=_first_row(values.range),
        rows=rows,
        attempts=tries,
    )
