"""The export unpivot on nasty CSVs (hand-counted) and a property: the events re-pivoted are the
non-empty cells of the input, whatever the chunk size."""

import csv
import datetime as dt
import io

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leanetl.lib.chatfuel.export import layout_of
from leanetl.lib.chatfuel.unpivot import unpivot_export
from leanetl.lib.sources import SourceSchemaError


def unpivot(data: bytes, chunk_bytes: int = 64):
    tables: list[pa.Table] = []
    result = unpivot_export(io.BytesIO(data), "users_export.csv", tables.append, chunk_bytes)
    events = pa.concat_tables(tables).to_pylist() if tables else []
    return result, [(e["user_id"], e["attribute"], e["value"]) for e in events]


def test_quoted_commas_newlines_quotes_and_crlf_are_values() -> None:
    data = (
        b'User ID,First Name,"city, town","say ""hi""","multi\nline"\r\n'
        b'u1,Ann,"Paris, FR","he said ""yo""","a\r\nb"\r\n'
        b"u2,Bob,,,\r\n"
    )
    result, events = unpivot(data, chunk_bytes=7)
    assert events == [
        ("u1", "city, town", "Paris, FR"),
        ("u1", 'say "hi"', 'he said "yo"'),
        ("u1", "multi line", "a\nb"),  # header newline collapsed by name normalisation
    ]
    assert result.rows == 2 and not result.quarantine
    users = pa.concat_tables(result.users).to_pylist()
    assert [(u["user_id"], u["first_name"]) for u in users] == [("u1", "Ann"), ("u2", "Bob")]


def test_ragged_rows_missing_and_repeated_user_ids_are_quarantined_with_their_line() -> None:
    data = (
        b"chatfuel user id,color,size\n"
        b"u1,red,\n"
        b"u2,blue\n"  # line 3: one field short
        b'u3,"two\nlines",L\n'  # lines 4-5
        b",green,S\n"  # line 6: no user id
        b"u1,pink,M\n"  # line 7: repeats u1
        b"\n"  # blank: skipped
        b"u4,,XL"  # no newline at the end
    )
    result, events = unpivot(data)
    assert events == [
        ("u1", "color", "red"),
        ("u3", "color", "two\nlines"),
        ("u3", "size", "L"),
        ("u4", "size", "XL"),
    ]
    assert [q[:2] for q in result.quarantine] == [
        ("line 3", "2 fields, the header has 3"),
        ("line 6", "no user id"),
        ("line 7", "user id 'u1' repeats line 2"),
    ]
    assert result.quarantine[0][2] == "u2,blue"
    assert result.rows == 6 and result.events == 4


def test_blank_and_repeated_headers_are_counted_not_loaded() -> None:
    data = "user id,Plan,, plan ,Plan\u200b,Straße\nu1,a,b,c,d,e\nu2,,x,,,\n".encode()
    result, events = unpivot(data)
    assert events == [("u1", "Plan", "a"), ("u1", "plan", "c"), ("u1", "Straße", "e")]
    assert result.unloaded_cells == {2: 2, 4: 1}  # column 3 blank, column 5 repeats 'Plan'
    assert result.layout.unloaded[4] == "column 5 repeats the header 'Plan' of column 2"


def test_whitespace_and_invisible_only_cells_are_empty_other_values_kept_exactly() -> None:
    data = "user id,a,b,c,d\nu1,  ,\u200b,\ufeff ,  x \nu2,0,false,1.5e3,-7\n".encode()
    tables: list[pa.Table] = []
    unpivot_export(io.BytesIO(data), "x.csv", tables.append)
    rows = pa.concat_tables(tables).to_pylist()
    assert [(r["user_id"], r["attribute"], r["value"], r["value_type"]) for r in rows] == [
        ("u1", "d", "  x ", "string"),
        ("u2", "a", "0", "long"),
        ("u2", "b", "false", "boolean"),
        ("u2", "c", "1.5e3", "double"),
        ("u2", "d", "-7", "long"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"user id,a\nu1,caf\xe9\n", "users_export.csv: not UTF-8 text (byte 16)"),
        (b'user id,a\nu1,"open\nu2,x\n', "users_export.csv: line 2: a quoted value never closes"),
        (b"name,a\nx,y\n", "users_export.csv: no user id column"),
        (b"user id,a", "no complete header row"),
    ],
)
def test_unreadable_exports_are_refused_naming_file_and_place(data: bytes, message: str) -> None:
    with pytest.raises(SourceSchemaError, match=message.replace("(", r"\(").replace(")", r"\)")):
        unpivot(data)


def test_system_headers_match_case_space_and_chatfuel_spellings() -> None:
    layout = layout_of(
        ["Chatfuel User ID", " FIRST  NAME", "last_name", "Signed Up", "Last Seen", "Status", "x"],
        "f",
    )
    assert list(layout.system) == [
        "user_id", "first_name", "last_name", "signed_up", "last_seen", "status",
    ]  # fmt: skip
    assert layout.attributes == {6: "x"}


cell = st.one_of(
    st.just(""),
    st.text(alphabet=st.sampled_from(list('ab ,"\n\u00e9\u200b\U0001f600x1')), max_size=6),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    table=st.lists(st.lists(cell, min_size=3, max_size=3), min_size=0, max_size=12),
    chunk=st.integers(min_value=1, max_value=200),
)
def test_events_repivoted_equal_the_non_empty_cells(table: list[list[str]], chunk: int) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["user id", "a", "b", "c"])
    for number, cells in enumerate(table):
        writer.writerow([f"u{number}", *cells])
    _, events = unpivot(out.getvalue().encode(), chunk_bytes=chunk)
    blank = set(" \u200b")
    expected = [
        (f"u{n}", name, value)
        for n, cells in enumerate(table)
        for name, value in zip("abc", cells, strict=True)
        if set(value) - blank - {"\t", "\n"}
    ]
    assert sorted(events) == sorted(expected)


def test_a_pull_day_reads_the_newest_export_dated_on_or_before_it() -> None:
    from leanetl.lib.chatfuel.users import export_for_day

    keys = ["users_export.csv", "users_export-2025-03-14.csv", "users_export-2025-03-16.csv"]
    assert export_for_day(keys, dt.date(2025, 3, 15)) == "users_export-2025-03-14.csv"
    assert export_for_day(keys, dt.date(2025, 3, 20)) == "users_export-2025-03-16.csv"
    assert export_for_day(keys, dt.date(2025, 3, 1)) == "users_export.csv"  # none dated yet
    assert export_for_day(keys[1:], dt.date(2025, 3, 1)) is None
    # Two for one day: the one modified last; two undated: likewise (by time, not by name).
    fixed = [*keys, "users_export-2025-03-14-fixed.csv"]
    assert export_for_day(fixed, dt.date(2025, 3, 15)) == "users_export-2025-03-14-fixed.csv"
    undated = ["users_export_b.csv", "users_export_a.csv"]
    assert export_for_day(undated, dt.date(2025, 3, 15)) == "users_export_a.csv"


def test_export_times_are_utc_instants() -> None:
    from leanetl.lib.chatfuel.users import instant

    utc = dt.UTC
    assert instant("2025-03-14T10:00:00+02:00") == dt.datetime(2025, 3, 14, 8, tzinfo=utc)
    assert instant("2025-03-14 10:00") == dt.datetime(2025, 3, 14, 10, tzinfo=utc)  # naive: UTC
    assert instant("1741953600000") == dt.datetime(2025, 3, 14, 12, tzinfo=utc)  # epoch ms
    assert instant("1741953600") == dt.datetime(2025, 3, 14, 12, tzinfo=utc)  # epoch s
    assert instant(" \u200b") is None
    with pytest.raises(ValueError):
        instant("yesterday")


def test_broadcasts_out_of_flows_windows_and_audiences() -> None:
    from leanetl.lib.chatfuel.broadcasts import (
        SegmentInputError,
        audience_text,
        broadcast_of,
        in_recipient_window,
        segment_input,
        sent_on,
    )

    segment = {"id": "s1", "name": "Readers", "resultOperator": "or", "filters": [
        {"id": "f1", "byAttribute": {"attribute": {"name": "topic"},
         "defaultStrategy": {"operator": "IS", "comparableValues": ["climate"]}}},
        {"id": "f2", "byInFlightSegment": {"id": "s2", "name": None, "resultOperator": "and",
         "filters": [{"id": "f3", "byAttribute": {"attribute": {"name": "quiz"},
                      "defaultStrategy": {"operator": "IS_NOT_EMPTY", "comparableValues": []}}}]}},
    ]}  # fmt: skip
    one_time = {"__typename": "WhatsAppOneTimeNotificationBlockElement", "id": "e",
                "status": "Finished", "sentToContactsCount": 3, "segment": segment}  # fmt: skip
    flow = {"id": "f", "name": "Digest", "createdAt": "2026-01-01T00:00:00Z", "blocks": [
        {"blockElements": [{"__typename": "TextBlockElement", "id": "t"}]},
        {"blockElements": [one_time]}]}  # fmt: skip
    assert broadcast_of({"id": "g", "blocks": flow["blocks"][:1]}) is None  # not a broadcast
    broadcast = broadcast_of(flow)
    assert broadcast and broadcast.kind == "one_time" and broadcast.recipients_count == 3
    day = dt.date(2026, 1, 12)
    # Finished the first time any pull sees it: it went out after its flow was created.
    assert sent_on(broadcast, None, day) == dt.date(2026, 1, 1)
    # Seen as a draft on the 3rd, Finished on the 5th: it went out since the pull before.
    assert sent_on(broadcast, (dt.date(2026, 1, 3), dt.date(2026, 1, 5)), day) == dt.date(
        2026, 1, 5
    )
    assert sent_on(broadcast, (dt.date(2026, 1, 3), None), day) == day
    draft = broadcast_of({**flow, "blocks": [{"blockElements": [{**one_time, "status": "Draft"}]}]})
    assert draft and sent_on(draft, (dt.date(2026, 1, 3), None), day) is None
    assert [in_recipient_window(day - dt.timedelta(days=n), day) for n in (0, 1, 7, 8)] == [
        False, True, True, False
    ]  # fmt: skip
    assert audience_text(segment) == "Readers (topic IS climate OR [quiz IS_NOT_EMPTY])"
    asked = segment_input(segment)
    assert asked["filters"][0]["byAttribute"] == {
        "name": "topic", "defaultStrategy": {"operator": "IS", "comparableValues": ["climate"]}
    }  # fmt: skip
    assert asked["filters"][1]["byInFlightSegment"]["resultOperator"] == "and"
    stored = {**segment, "filters": [{"id": "f9", "byStoredSegment": {"segmentIDs": ["x"]}}]}
    with pytest.raises(SegmentInputError, match="f9 refers to stored segments"):
        segment_input(stored)


def test_a_platform_column_wins_over_the_configured_platform() -> None:
    from leanetl.lib.chatfuel.users import users_frame

    data = b"user id,Channel,topic\n1, Messenger ,x\n2,,y\n"
    result = unpivot_export(io.BytesIO(data), "f.csv", lambda _: None)
    frame, _ = users_frame(pa.concat_tables(result.users), "whatsapp")
    assert frame["platform"].tolist() == ["messenger", "whatsapp"]
    assert list(result.layout.attributes.values()) == ["topic"]  # Channel is a system column
