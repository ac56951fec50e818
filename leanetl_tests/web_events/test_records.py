"""Firehose objects → records → tables: parsing, naming, types, dead letters (pure)."""

import datetime as dt
import gzip
import json

import pytest

from leanetl.lib.web_events.naming import NameRegistry, snake_case
from leanetl.lib.web_events.objects import arrival_day, object_id, transform_object
from leanetl.lib.web_events.records import parse_object
from leanetl.lib.web_events.tables import TableRows, split_calls, typed_table
from leanetl_tests.conftest import REPO

SPEC = REPO.parent / "shared/fixtures/segment/segment_spec_examples.jsonl"


def payloads() -> list[dict]:
    """Segment's own spec examples (CC BY 4.0, ../shared/fixtures/segment)."""
    if SPEC.exists():
        rows = [json.loads(line)["payload"] for line in SPEC.read_text().splitlines()]
    else:  # the copy kept with the tests
        rows = [
            json.loads(line)["payload"]
            for line in (REPO / "leanetl_tests/fixtures/segment/segment_spec_examples.jsonl")
            .read_text()
            .splitlines()
        ]
    return [{"timestamp": "2025-03-14T10:00:00Z", **p} for p in rows]


def test_both_record_forms_and_a_mix_with_braces_and_quotes_in_strings() -> None:
    records = [
        {"type": "track", "event": "E", "properties": {"text": '}{ "x" \\ }'}, "n": i}
        for i in range(6)
    ]
    parts = [json.dumps(r).encode() for r in records]
    newline = b"\n".join(parts) + b"\n"
    concatenated = b"".join(parts)
    mixed = (
        parts[0] + parts[1] + b"\n" + parts[2] + b"  " + parts[3] + b"\r\n" + parts[4] + parts[5]
    )
    for data in (newline, concatenated, mixed, gzip.compress(mixed)):
        parsed = parse_object(data)
        assert parsed.records == records and not parsed.dead_letters
    assert parse_object(gzip.compress(mixed)).compressed
    assert parse_object(b"").records == [] and parse_object(b"\n\n").records == []


def test_a_malformed_record_between_good_ones_is_the_only_dead_letter() -> None:
    data = b'{"a":1}{"b":2}\n{"type": oops}\n{"c":3}{"d":[1,}{"e":5}'
    parsed = parse_object(data)
    assert parsed.records == [{"a": 1}, {"b": 2}, {"c": 3}, {"e": 5}]
    assert [(d.offset, d.raw) for d in parsed.dead_letters] == [
        (15, '{"type": oops}'),
        (37, '{"d":[1,}'),  # up to the next `}{` boundary
    ]
    assert data[15:16] == b"{" and data[37:38] == b"{"


def test_corrupt_gzip_and_non_utf8_objects_are_dead_lettered_whole() -> None:
    corrupt = parse_object(b"\x1f\x8b\x08\x00" + b"garbage" * 10)
    assert corrupt.whole_object_error.startswith("corrupt GZIP object")
    assert parse_object(b'{"a":"caf\xe9"}').whole_object_error == "not UTF-8 text (byte 9)"
    result = transform_object("2025/03/14/10/x", b"\x1f\x8bnope", NameRegistry())
    assert result.dead_letters[["locator", "raw"]].values.tolist() == [["whole object", ""]]
    assert result.records == 1 and not result.tables


def test_segment_spec_examples_split_into_segment_tables() -> None:
    names = NameRegistry()
    calls = payloads()
    split = split_calls(calls, range(len(calls)), "obj", names)
    assert not split.rejected
    assert {t: len(r) for t, r in split.rows.items()} == {
        "tracks": 3,
        "user_registered": 1,
        "course_clicked": 1,
        "report_submitted": 1,
        "identifies": 2,
        "pages": 2,
        "screens": 2,
        "groups": 1,
    }
    course = split.rows["course_clicked"].rows[0]
    assert course["message_id"] == "ajs-f8ca1e4de5024d9430b3928bd8ac6b96"
    assert course["context_page_path"] == "/academy/" and course["title"] == "Intro to Analytics"
    assert course["received_at"] == dt.datetime(2015, 12, 12, 19, 11, 1, 266000, tzinfo=dt.UTC)
    assert split.rows["user_registered"].rows[0]["account_type"] == "Facebook"  # accountType


def test_names_are_safe_and_collisions_get_stable_distinct_names() -> None:
    assert snake_case("Post Created") == "post_created"
    assert snake_case("accountType") == "account_type"
    assert snake_case("../../etc; drop table") == "etc_drop_table"
    assert (
        snake_case("2FA Enabled") == "e_2_fa_enabled"
    )  # as lodash snakeCase and snake_case("  ") == "unnamed"
    names = NameRegistry()
    calls = [
        {"type": "track", "event": e, "timestamp": "2025-01-01T00:00:00Z"}
        for e in ("post_created", "Post Created", "Pages", "PostCreated")
    ]
    split_calls(calls, range(4), "o", names)
    # sorted originals: 'Pages', 'Post Created', 'PostCreated', 'post_created'
    assert names.tables["Pages"] == "event_pages"
    assert names.tables["Post Created"] == "post_created"
    assert names.tables["PostCreated"].startswith("post_created_")
    assert names.tables["post_created"].startswith("post_created_")
    again = NameRegistry.from_json(json.loads(json.dumps(names.to_json())))
    assert again.table_for("post_created") == names.tables["post_created"]  # kept across runs


def test_drifting_types_become_text_and_are_counted() -> None:
    rows = [
        {"n": 1, "ok": True, "x": 1.5, "big": 1, "flag": 1.5},
        {"n": "one", "ok": False, "x": 2, "big": 2**64, "flag": True, "late": None},
        {"n": None, "ok": None, "x": None, "big": None, "flag": None, "late": "2"},
    ]
    table, drifted = typed_table(TableRows.of(rows))
    assert drifted == ["n", "big", "flag"]
    assert table.column("n").to_pylist() == ["1", "one", None]
    assert table.column("big").to_pylist() == ["1", str(2**64), None]
    assert table.column("flag").to_pylist() == ["1.5", "true", None]  # a bool is not a number
    types = {f.name: str(f.type) for f in table.schema}
    assert (types["ok"], types["x"], types["late"]) == ("bool", "double", "string")
    assert table.column("late").to_pylist() == [None, None, "2"]


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"event": "E", "timestamp": "2025-01-01T00:00:00Z"}, "no type"),
        ({"type": "track", "event": "E", "timestamp": "yesterday-ish"}, "unreadable timestamp"),
        ({"type": "track", "event": "E"}, "no timestamp"),
        ({"type": "trakc", "timestamp": "2025-01-01T00:00:00Z"}, "is not a Segment call"),
    ],
)
def test_records_without_type_or_timestamp_are_dead_lettered(record, reason) -> None:
    data = b'{"type":"page","timestamp":"2025-01-01T00:00:00Z"}\n' + json.dumps(record).encode()
    result = transform_object("2025/01/01/00/o", data, NameRegistry())
    assert result.records == 2 and result.rows("pages") == 1
    assert result.dead_letters["locator"].tolist() == ["byte 51"]
    assert reason in result.dead_letters["reason"].iloc[0]


def test_keys_days_and_object_ids() -> None:
    key = "2025/03/14/23/stream-1-2025-03-14-23-59-59-0b1c.gz"
    assert arrival_day(key) == dt.date(2025, 3, 14)
    assert object_id(key).startswith(key.rsplit("/", 1)[1] + "-")
    # One output name per key, though two keys share their last segment (other hours).
    assert object_id("2025/03/14/01/part-a") != object_id("2025/03/14/02/part-a")
    assert arrival_day("2025/02/30/00/x") is None and arrival_day("manifests/x") is None
    assert object_id("2025/03/14/23/../x y").startswith("object-")


def test_catalog_columns_keep_their_type_until_a_conflict() -> None:
    from leanetl.lib.web_events.catalog import merged_columns

    known = {"message_id": "string", "n": "bigint", "flag": "boolean"}
    assert merged_columns(known, {"n": "double", "new": "timestamp"}) == {
        "message_id": "string",
        "n": "double",
        "flag": "boolean",
        "new": "timestamp",
    }
    assert merged_columns(known, {"flag": "bigint"})["flag"] == "string"
    with pytest.raises(ValueError, match="not a web events table name"):
        merged_columns({}, {"x; drop": "string"})


def test_dashboard_counts_each_message_once_per_kind_and_day() -> None:
    import pandas as pd

    from leanetl.lib.web_events.dashboard import daily_activity, top_pages

    at = pd.to_datetime(["2025-03-14T10:00Z", "2025-03-14T11:00Z", "2025-03-15T01:00Z"], utc=True)
    tracks = pd.DataFrame(
        {
            "timestamp": at,
            "event": ["A", "A", "B"],
            "user_id": ["u1", None, "u1"],
            "anonymous_id": ["x", "a2", "x"],
        }
    )
    pages = pd.DataFrame(
        {"timestamp": at[:1], "user_id": ["u3"], "anonymous_id": [None], "path": ["/feed"]}
    )
    activity = daily_activity(tracks, pages)
    assert activity.values.tolist() == [
        ["2025-03-14", "A", 2, 3],
        ["2025-03-14", "page view", 1, 3],
        ["2025-03-15", "B", 1, 1],
    ]
    assert top_pages(pages).values.tolist() == [["/feed", 1]]


def test_event_names_that_differ_only_by_invisible_characters_or_spaces_are_one_table() -> None:
    names = NameRegistry()
    events = ["Post Created", "Post\u200b Created", "Post  Created ", "Ｐost Created"]
    calls = [{"type": "track", "event": e, "timestamp": "2025-01-01T00:00:00Z"} for e in events]
    split = split_calls(calls, range(4), "o", names)
    assert len(split.rows["post_created"]) == 4 and names.renamed == {}
    assert [r["event"] for r in split.rows["tracks"].rows] == events  # as sent


def test_names_of_two_concurrent_runs_merge_or_conflict_before_anything_is_written() -> None:
    from leanetl.lib.web_events.naming import NameConflict

    base = NameRegistry.from_json({"tables": {"Signed Up": "signed_up"}})
    first, second, third = (NameRegistry.from_json(base.to_json()) for _ in range(3))
    first.table_for("Post Created")
    first.column_for("post_created", ("properties", "postId"), {"message_id"})
    second.table_for("Followed User")
    second.merge(first)  # different originals, different names: both kept
    assert second.tables == {
        "Signed Up": "signed_up",
        "Post Created": "post_created",
        "Followed User": "followed_user",
    }
    assert second.columns == {"post_created": {"postId": "post_id"}}
    third.table_for("PostCreated")  # also post_created, unaware of the first run
    with pytest.raises(NameConflict, match=r"\['post_created'\]"):
        third.merge(second)
