import datetime as dt
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from leanetl.lib.volunteers.signups import SourceSchemaError, load_signup_files, read_signup_file

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
    assert list(quarantine.columns) == ["source", "locator", "reason", "raw"]
    assert quarantine["locator"].tolist() == ["line 3", "line 4", "line 5"]
    assert [r.split(" ")[0] for r in quarantine["reason"].str.split("; ").str[0]] == [
        "event_signup_id",
        "event_date",
        "status",
    ]
    assert "status_changed_at cannot be parsed" in quarantine["reason"].iloc[1]
    assert "event_signup_id cannot be parsed: 'x2'" in quarantine["reason"].iloc[0]
    assert "status is empty" in quarantine["reason"].iloc[2]
    assert (quarantine["source"] == str(f)).all()
    assert quarantine["raw"].iloc[0].startswith("x2,10,2025-03-14,101,Duluth")


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


# --- ids are identifiers: exact, never through float ------------------------------------------


def test_ids_are_exact_int64_and_never_pass_through_float(tmp_path: Path) -> None:
    f = _write(
        tmp_path / "event_signups_ids.csv",
        HEADER,
        "9007199254740993,10,2025-03-14,101,D,A,9223372036854775807,Scheduled,2025-03-10",
        "9007199254740992,10,2025-03-14,101,D,A,1,Scheduled,2025-03-10",
        "0042,10,2025-03-14,101,D,A,2.0,Scheduled,2025-03-10",  # leading zeros, spreadsheet .0
    )
    rows, quarantine = read_signup_file(f)
    assert quarantine.empty
    # 2**53 + 1 stays itself: through a float it would collide with the next sign-up.
    assert rows["event_signup_id"].tolist() == [9007199254740993, 9007199254740992, 42]
    assert rows["van_id"].tolist() == [2**63 - 1, 1, 2]
    assert rows["event_signup_id"].dtype == "int64"


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("12345678901234567890", "20 digits: beyond int64"),
        ("9223372036854775808", "2**63: one past int64"),
        ("1.5", "not a whole number"),
        ("1e3", "exponent notation"),
        ("-7", "negative"),
        ("+7", "signed"),
        ("12 34", "two numbers"),
        ("0x1F", "hexadecimal"),
    ],
)
def test_ids_that_are_not_whole_int64_numbers_are_quarantined(
    tmp_path: Path, value: str, why: str
) -> None:
    f = _write(
        tmp_path / "event_signups_bad_id.csv",
        HEADER,
        f"{value},10,2025-03-14,101,D,A,555,Scheduled,2025-03-10",
        "2,10,2025-03-14,101,D,A,556,Scheduled,2025-03-10",
    )
    rows, quarantine = read_signup_file(f)
    assert rows["event_signup_id"].tolist() == [2], why
    assert quarantine["reason"].str.startswith("event_signup_id ").tolist() == [True]
    assert quarantine["locator"].tolist() == ["line 2"]
    assert value in quarantine["reason"].iloc[0]


def test_a_required_header_twice_is_refused_naming_the_file(tmp_path: Path) -> None:
    f = _write(
        tmp_path / "event_signups_dup.csv",
        HEADER + ",event_id",
        "1,10,2025-03-14,101,D,A,555,Scheduled,2025-03-10,11",
    )
    with pytest.raises(
        SourceSchemaError, match=r"event_signups_dup\.csv: column 'event_id' appears more than once"
    ):
        read_signup_file(f)


def test_headers_and_values_are_normalised_like_all_text(tmp_path: Path) -> None:
    f = _write(
        tmp_path / "event_signups_odd.csv",
        HEADER.replace("event_signup_id", "Event Signup ID").replace("status", " STATUS "),
        # a no-break space inside the instant, a zero-width space in an id, a BOM-less NBSP name
        "\u200b1,10,2025-03-14,101,Des\u00a0 Moines,Ana,555,No Show,2025-03-10\u00a009:00:00",
    )
    rows, quarantine = read_signup_file(f)
    assert quarantine.empty, quarantine.to_dict("records")
    assert rows["event_signup_id"].tolist() == [1]
    assert rows["event_location_name"].tolist() == ["Des Moines"]
    assert rows["status_changed_at"].tolist() == [pd.Timestamp("2025-03-10 09:00:00")]


# --- file-level errors name the file -----------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"empty file \(no header row\)"),
        (b"  \n\n", r"empty file \(no header row\)"),
        (
            HEADER.encode() + b"\n1,10,2025-03-14,101,M\xfcnchen,A,5,S,2025-03-10\n",
            r"not UTF-8 text \(byte 137\)",
        ),
        (
            HEADER.encode() + b'\n1,10,2025-03-14,101,"Duluth,A,5,S,2025-03-10\n',
            r"line \d+: unexpected end of data",
        ),
        (
            HEADER.encode() + b"\n1,10,2025-03-14,101," + b"x" * 200_000 + b",A,5,S,2025-03-10\n",
            r"line 2: field larger than field limit",
        ),
    ],
    ids=["zero-bytes", "blank", "latin-1", "unclosed-quote", "huge-field"],
)
def test_unreadable_files_fail_naming_the_file(
    tmp_path: Path, content: bytes, message: str
) -> None:
    f = tmp_path / "event_signups_bad.csv"
    f.write_bytes(content)
    with pytest.raises(SourceSchemaError, match=r"event_signups_bad\.csv: " + message):
        load_signup_files([f])


def test_ragged_rows_are_quarantined_whole_with_their_line(tmp_path: Path) -> None:
    f = _write(
        tmp_path / "event_signups_ragged.csv",
        HEADER,
        "1,10,2025-03-14,101,D,A,555,Scheduled,2025-03-10",
        "2,10,2025-03-14,101,D,A,556,Scheduled,2025-03-10,extra",
        "",
        "3,10,2025-03-14,101,D",
        '4,10,2025-03-14,101,"Two\nlines",A,557,Scheduled,2025-03-10',
        "5,10,2025-03-14,101,D,A,558,No Show,2025-03-10",
    )
    rows, quarantine = read_signup_file(f)
    assert rows["event_signup_id"].tolist() == [1, 4, 5]
    assert quarantine[["locator", "reason"]].values.tolist() == [
        ["line 3", "has 10 fields, the header has 9"],
        ["line 5", "has 5 fields, the header has 9"],
    ]
    assert quarantine["source"].str.endswith("event_signups_ragged.csv").all()


def test_the_quarantine_threshold_applies_per_file_too(tmp_path: Path) -> None:
    from leanetl.defs.sources import SourceRead, quarantine_check
    from leanetl.defs.volunteers.assets import KEYS

    def check_of(load):
        read = SourceRead(load.rows, load.quarantine, len(load.rows) + len(load.quarantine))
        return quarantine_check(KEYS, replace(read, parts=load.per_file), 0.01)

    good = [f"{i},10,2025-03-14,101,D,A,{i},Scheduled,2025-03-10" for i in range(1, 1001)]
    big = _write(tmp_path / "event_signups_big.csv", HEADER, *good)
    small = _write(
        tmp_path / "event_signups_small.csv",
        HEADER,
        "2001,10,2025-03-14,101,D,A,1,Scheduled,2025-03-10",
        "x,10,2025-03-14,101,D,A,1,Scheduled,2025-03-10",
    )
    load = load_signup_files([big, small])
    assert len(load.quarantine) == 1 and len(load.quarantine) / 1002 < 0.01  # fine overall
    assert load.per_file == {str(big): (1000, 0), str(small): (2, 1)}
    check = check_of(load)
    assert not check.passed  # ... but half of one file is bad
    assert check.metadata["worst_part"].value == str(small)
    assert check.metadata["worst_part_share"].value == 0.5
    assert check_of(load_signup_files([big])).passed
