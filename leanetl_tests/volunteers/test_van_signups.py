import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from leanetl.lib.van_signups import SourceSchemaError, load_signup_files, read_signup_file

HEADER = "event_signup_id,event_id,event_date,event_location_id,event_location_name,organizer,van_id,status,status_changed_at"


def _write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_parses_types_offsets_and_ignores_extra_columns(tmp_path: Path) -> None:
    f = _write(
        tmp_path / "event_signups_a.csv",
        HEADER + ",notes",
        "1,10,2025-03-14,101,Duluth,Ana,555,Scheduled,2025-03-10T09:00:00-05:00,call back",
        "2,10,2025-03-14,101,Duluth,Ana,556, No Show ,2025-03-15 04:59:00,",
    )
    rows, quarantine = read_signup_file(f)
    assert quarantine.empty
    assert rows.columns.tolist() == HEADER.split(",")
    assert rows["status_changed_at"].tolist() == [
        pd.Timestamp("2025-03-10 14:00:00"),  # -05:00 converted to UTC
        pd.Timestamp("2025-03-15 04:59:00"),  # no offset: already UTC
    ]
    assert rows["event_date"].dt.date.tolist() == [dt.date(2025, 3, 14)] * 2
    assert rows["status"].tolist() == ["Scheduled", "No Show"]
    assert rows["van_id"].dtype == "int64"


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    f = _write(
        tmp_path / "event_signups_b.csv",
        HEADER.replace(",van_id", ""),
        "1,10,2025-03-14,101,D,A,S,2025-03-10",
    )
    with pytest.raises(SourceSchemaError, match=r"event_signups_b\.csv: missing column 'van_id'"):
        read_signup_file(f)


def test_bad_rows_are_quarantined_with_file_line_and_reason(tmp_path: Path) -> None:
    f = _write(
        tmp_path / "event_signups_c.csv",
        HEADER,
        "1,10,2025-03-14,101,Duluth,Ana,555,Scheduled,2025-03-10T09:00:00Z",
        "x2,10,2025-03-14,101,Duluth,Ana,556,Scheduled,2025-03-10T09:00:00Z",
        "3,10,14/03/2025?,101,Duluth,Ana,557,Scheduled,not a time",
        "4,10,2025-03-14,101,Duluth,Ana,558,,2025-03-10T09:00:00Z",
    )
    rows, quarantine = read_signup_file(f)
    assert rows["event_signup_id"].tolist() == [1]
    assert quarantine["line"].tolist() == [3, 4, 5]
    assert quarantine["fields"].tolist() == [
        "event_signup_id",
        "event_date,status_changed_at",
        "status",
    ]
    assert "event_signup_id cannot be parsed: 'x2'" in quarantine["reason"].iloc[0]
    assert "status is empty" in quarantine["reason"].iloc[2]
    assert (quarantine["source_file"] == str(f)).all()


def test_load_many_files_and_empty_folder(tmp_path: Path) -> None:
    _write(
        tmp_path / "event_signups_1.csv",
        HEADER,
        "1,10,2025-03-14,101,D,A,5,Scheduled,2025-03-10T09:00:00Z",
    )
    _write(
        tmp_path / "event_signups_2.csv",
        HEADER,
        "2,11,2025-03-14,101,D,A,6,Completed,2025-03-14T20:00:00Z",
        "bad,11,,,,,,,",
    )
    load = load_signup_files(sorted(tmp_path.glob("event_signups*.csv")))
    assert load.rows["event_signup_id"].tolist() == [1, 2]
    assert len(load.quarantine) == 1
    empty = load_signup_files([])
    assert empty.rows.empty and empty.quarantine.empty
    assert empty.rows.columns.tolist() == HEADER.split(",")
