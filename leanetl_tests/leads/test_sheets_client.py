"""The real gspread client against a fake Sheets API replaying recorded responses over HTTP."""

import json
from pathlib import Path

import pandas as pd
import pytest

from leanetl.clients.sheets import SheetsUnavailable, load_credentials, read_worksheet
from leanetl.lib.leads.dedupe import clean_leads
from leanetl.lib.leads.sheet_values import values_to_frame
from leanetl.lib.sources import SourceSchemaError
from leanetl_tests.conftest import FIXTURES
from leanetl_tests.fakes.sheets_api import FakeSheetsApi, service_account_info

CASSETTES = FIXTURES / "google_sheets"


def cassette(name: str) -> Path:
    return CASSETTES / f"gspread_WorksheetTest.{name}.json"


@pytest.fixture
def api():
    with FakeSheetsApi() as server:
        yield server


@pytest.fixture
def credentials(api):
    return load_credentials(json.dumps(service_account_info(f"{api.url}/token")))


def cells(values) -> list:
    """Values with missing ones as None (pandas shows them as <NA>)."""
    return [None if v is pd.NA else v for v in values]


def read(api, credentials, key, worksheet="", **kwargs):
    kwargs.setdefault("sleep", lambda _: None)
    return read_worksheet(credentials, key, worksheet, api_url=api.url, **kwargs)


def test_recorded_sheet_with_short_and_blank_rows(api, credentials):
    key = api.load_cassette(cassette("test_get_all_records"))
    values = read(api, credentials, key, "Sheet1")
    assert values.rows == [["A1", "B1", "", "D1"], ["1", "b2", "1.45"], [], ["A4", "0.4", "", "4"]]
    assert (values.worksheet_title, values.timezone, values.first_row) == ("Sheet1", "Etc/GMT", 1)
    frame = values_to_frame(values.rows, values.first_row, "sheet")
    # The blank header keeps its column, the short row is padded, the blank row 3 is skipped.
    assert list(frame.columns) == ["a1", "b1", "column_3", "d1", "source", "source_row"]
    assert frame["source_row"].tolist() == [2, 4]
    assert cells(frame.iloc[0][["a1", "b1", "column_3", "d1"]]) == ["1", "b2", "1.45", None]
    # The real client authenticated with a signed JWT at the token endpoint and sent the token.
    assert api.tokens_issued == 1
    assert api.api_requests[-1].query == {
        "valueRenderOption": "UNFORMATTED_VALUE",
        "dateTimeRenderOption": "SERIAL_NUMBER",
    }


def test_some_values_blank_gives_one_record(api, credentials):
    key = api.load_cassette(cassette("test_get_all_records_with_some_values_blank"))
    values = read(api, credentials, key)
    frame = values_to_frame(values.rows, values.first_row, "sheet")
    assert len(frame) == 1
    assert cells(frame.iloc[0][["a", "b", "c", "d"]]) == ["x", "y", "z", None]


def test_blank_final_headers_are_dropped_but_values_under_them_kept(api, credentials):
    key = api.load_cassette(cassette("test_get_all_records_with_blank_final_headers"))
    values = read(api, credentials, key)
    assert values.rows[0] == ["A1", "faff"]
    frame = values_to_frame(values.rows, values.first_row, "sheet")
    assert list(frame.columns)[:4] == ["a1", "faff", "column_3", "column_4"]
    assert cells(frame["column_4"]) == [None, "4"]


def test_duplicate_headers_suffixed_unless_required(api, credentials):
    key = api.load_cassette(cassette("test_get_all_records_duplicate_keys"))
    values = read(api, credentials, key)
    frame = values_to_frame(values.rows, values.first_row, "sheet")
    assert list(frame.columns)[:4] == ["a1", "faff", "c3", "faff_2"]
    with pytest.raises(SourceSchemaError, match=r"sheet: column 'faff' appears more than once"):
        values_to_frame(values.rows, values.first_row, "sheet", required=["faff"])


def test_unformatted_serial_dates_are_what_the_client_asks_for(api, credentials):
    key = api.load_cassette(cassette("test_get_all_values_date_time_render_options"))
    values = read(api, credentials, key)
    # Recorded with valueRenderOption=UNFORMATTED_VALUE & dateTimeRenderOption=SERIAL_NUMBER.
    assert values.rows == [[2, 43831, "string", 53], [1.5, 0.12, 36162]]


def test_numbers_from_unformatted_cells_become_text(api, credentials):
    key = api.load_cassette(cassette("test_get_all_records_numericise_unformatted"))
    values = read(api, credentials, key)
    frame = values_to_frame(values.rows, values.first_row, "sheet")
    assert cells(frame.iloc[0][["a", "column_2", "c", "3_1_0"]]) == ["1.5", "0.12", None, "3_2_1"]


def test_sheet_serial_timestamps_parse_in_the_configured_timezone(api, credentials):
    api.add_sheet(
        "leads-sheet",
        "Leads",
        [
            ["Company", "First name", "Last name", "Title", "Country", "Operator timestamp"],
            ["Acme", "Ann", "Lee", "CTO", "USA", 44880.375],  # 2022-11-15 09:00 local
            [],
            ["Beta", "Bo", "Kim", "", "kr", "11/15/2022 9:00 AM"],
        ],
    )
    values = read(api, credentials, "leads-sheet", "Leads")
    frame = values_to_frame(values.rows, values.first_row, "sheet Leads")
    cleaned = clean_leads(frame, "America/Chicago", "sheet Leads")
    assert cleaned.rows["captured_at"].astype(str).tolist() == [
        "2022-11-15 15:00:00+00:00",
        "2022-11-15 15:00:00+00:00",
    ]
    assert sorted(cleaned.rows["country"]) == ["South Korea", "United States"]


def test_empty_sheet_has_no_values_key_and_gives_no_rows(api, credentials):
    api.add_sheet("empty", "Leads", [])
    values = read(api, credentials, "empty", "Leads")
    assert values.rows == []
    frame = values_to_frame(values.rows, values.first_row, "sheet")
    assert len(frame) == 0


def test_throttling_is_retried_with_backoff(api, credentials):
    api.add_sheet("s", "Leads", [["company"], ["Acme"]])
    api.fail_next(429, times=2)
    waits: list[float] = []
    values = read(
        api, credentials, "s", "Leads", retries=3, backoff_seconds=1.5, sleep=waits.append
    )
    assert values.rows == [["company"], ["Acme"]]
    assert values.attempts == 3
    assert waits == [1.5, 3.0]


def test_outage_after_retries_is_unavailable(api, credentials):
    api.add_sheet("s", "Leads", [["company"]])
    api.fail_next(503, times=10)
    with pytest.raises(SheetsUnavailable, match=r"Sheets API error 503.*after 3 attempts"):
        read(api, credentials, "s", "Leads", retries=2)


def test_permission_denied_is_not_retried(api, credentials):
    api.add_sheet("s", "Leads", [["company"]])
    api.fail_next(403, message="The caller does not have permission")
    with pytest.raises(SheetsUnavailable, match="403: The caller does not have permission"):
        read(api, credentials, "s", "Leads", retries=5)
    assert len(api.api_requests) == 1


def test_missing_worksheet_and_credentials(api, credentials, monkeypatch):
    api.add_sheet("s", "Leads", [["company"]])
    with pytest.raises(SheetsUnavailable, match="no worksheet 'Other'"):
        read(api, credentials, "s", "Other")
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    with pytest.raises(SheetsUnavailable, match="no service-account credentials"):
        load_credentials("")
    with pytest.raises(SheetsUnavailable, match="unreadable: JSONDecodeError") as error:
        load_credentials('{"private_key": "secret-value"')
    assert "secret-value" not in str(error.value)
