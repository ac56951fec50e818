"""Hostile Firehose objects: each bad record is a counted dead letter and the rest of the object
(and of the day) goes on; names on disk never collide; memory is bounded by a setting."""

import datetime as dt
import gzip
import json
from pathlib import Path

import dagster as dg
import pytest

from leanetl.definitions import build_defs
from leanetl.io_managers.object_store import ObjectStore
from leanetl.lib.web_events.naming import NameRegistry
from leanetl.lib.web_events.objects import transform_object
from leanetl.lib.web_events.records import parse_object
from leanetl.settings import load_settings

GOOD = {"type": "track", "event": "Signed Up", "timestamp": "2025-03-14T10:00:00Z", "userId": "u1"}


def _line(record: dict) -> bytes:
    return json.dumps(record).encode() + b"\n"


def _nested(field: str, value: str) -> bytes:
    """A good record whose ``field`` is ``value`` (JSON text nested past Python's own limit)."""
    return json.dumps(GOOD).encode()[:-1] + f', "{field}": {value}}}'.encode() + b"\n"


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (b'{"a":' * 10_000 + b"1" + b"}" * 10_000 + b"\n", "nested too deep"),
        (_nested("properties", '{"p":' * 1000 + "1" + "}" * 1000), "too deep"),
        (_nested("properties", '{"l":' + "[" * 300 + "]" * 300 + "}"), "too deep"),
        (_nested("properties", '{"p":' * 40 + "1" + "}" * 40), None),
        (_line({**GOOD, "timestamp": "0001-01-01T00:00:00+01:00"}), "unreadable timestamp"),
        (_line({**GOOD, "timestamp": "9999-12-31T23:59:59-05:00"}), "unreadable timestamp"),
        # Never the run's clock, never a guessed day order.
        (_line({**GOOD, "timestamp": "now"}), "unreadable timestamp"),
        (_line({**GOOD, "timestamp": "today"}), "unreadable timestamp"),
        (_line({**GOOD, "timestamp": "14/03/2025"}), "unreadable timestamp"),
        (_line({**GOOD, "sentAt": "now"}), "unreadable sent_at"),
    ],
)
def test_one_bad_record_is_a_dead_letter_and_the_others_are_kept(bad: bytes, reason) -> None:
    data = _line(GOOD) + bad + _line({**GOOD, "userId": "u2"})
    result = transform_object("2025/03/14/10/obj", data, NameRegistry())
    letters = result.dead_letters["reason"].tolist()
    kept = result.rows("tracks")
    assert kept + len(letters) == result.records == 3
    if reason is None:  # 40 objects deep: kept, what lies past 32 as JSON text
        assert kept == 3 and not letters
        table = result.tables["signed_up"]
        deep = [c for c in table.column_names if c.startswith("p_p_p")]
        values = [v for v in table.column(deep[0]).to_pylist() if v is not None]
        assert len(deep) == 1 and values == ['{"p":{"p":{"p":{"p":{"p":{"p":{"p":{"p":1}}}}}}}}']
    else:
        assert kept == 2 and reason in letters[0]


def test_an_object_that_inflates_past_the_cap_is_one_dead_letter() -> None:
    bomb = gzip.compress(b" " * (20 << 20))  # 20 MiB of spaces, ≈ 20 KB compressed
    parsed = parse_object(bomb, max_bytes=1 << 20)
    assert "too large" in parsed.whole_object_error
    result = transform_object("2025/03/14/10/bomb", bomb, NameRegistry(), max_bytes=1 << 20)
    assert result.records == 1 and result.dead_letters["locator"].tolist() == ["whole object"]


def test_listing_a_local_folder_never_follows_a_link_out_and_lists_odd_names(tmp_path) -> None:
    raw = tmp_path / "raw"
    (raw / "2025/03/14/10").mkdir(parents=True)
    (raw / "2025/03/14/10/good").write_bytes(_line(GOOD))
    (raw / "2025/03/14/10/bad\\name").write_bytes(_line(GOOD))
    outside = tmp_path / "secret.txt"
    outside.write_text("not yours")
    (raw / "2025/03/14/10/link").symlink_to(outside)
    (raw / "2025/03/14/11").symlink_to(tmp_path, target_is_directory=True)
    keys = {o.key for o in ObjectStore(url=str(raw)).list_objects("2025/03/14/")}
    assert keys == {"2025/03/14/10/bad\\name", "2025/03/14/10/good"}


def test_a_day_with_colliding_and_unreadable_names_keeps_every_record(leanetl_home: Path) -> None:
    settings = load_settings()
    raw = Path(settings.web_events.raw_url) / "2025/03/14"
    for hour, users in (("01", ["a", "b"]), ("02", ["c", "d", "e"])):
        (raw / hour).mkdir(parents=True)
        lines = b"".join(_line({**GOOD, "userId": u}) for u in users)
        (raw / hour / "part-a").write_bytes(lines)
    (raw / "02" / "odd\\name").write_bytes(_line(GOOD))
    result = (
        build_defs(settings)
        .resolve_job_def("web_events_transform")
        .execute_in_process(partition_key="2025-03-14", instance=dg.DagsterInstance.ephemeral())
    )
    assert result.success
    lake = Path(settings.web_events.url) / "transformed" / "tracks" / "dt=2025-03-14"
    import pyarrow.parquet as pq

    assert sum(pq.read_table(p).num_rows for p in lake.glob("*.parquet")) == 5
    letters = next(
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key.path[-1] == "dead_letters"
    )
    assert letters.materialization.metadata["dead_letter_records"].value == 1
    assert dt.date(2025, 3, 14)


def test_a_property_named_like_the_views_helper_hides_no_row(tmp_path) -> None:
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    from leanetl.lib.web_events.naming import snake_case
    from leanetl.lib.web_events.query import duckdb_view_sql

    folder = tmp_path / "tracks" / "dt=2025-03-14"
    folder.mkdir(parents=True)
    rows = {
        "message_id": ["m1", "m2"],
        "received_at": [None, None],
        "raw_object": ["o", "o"],
        "raw_offset": [0, 10],
        "delivery_rank": [5, 7],  # a property of that name, as data gives it
        "recency": [2, 3],
    }
    pq.write_table(pa.table(rows), folder / "o.parquet")
    with duckdb.connect() as conn:
        conn.execute("create schema web_events")
        conn.execute(duckdb_view_sql("web_events", "tracks", str(tmp_path / "tracks/*/*.parquet")))
        assert conn.execute("select count(*) from web_events.tracks").fetchone() == (2,)
    assert snake_case("_leanetl_delivery_rank").startswith("leanetl")  # data never names it


def _track(properties: dict, **payload) -> dict:
    return {**GOOD, "properties": properties, **payload}


@pytest.mark.parametrize(
    ("records", "table", "values"),
    [
        # A nested path and a key that joins to the same name: two columns.
        ([_track({"a": {"b": 1}, "a_b": 2})], "signed_up", {1, 2}),
        # A property context_foo and the context's foo, in either order across records.
        (
            [_track({"context_foo": "p"}), _track({}, context={"foo": "c"})],
            "signed_up",
            {"p", "c"},
        ),
        ([_track({"context_foo": "p"}, context={"foo": "c"})], "signed_up", {"p", "c"}),
        # A property named as a fixed column, or as the partition column.
        (
            [_track({"timestamp": "t", "raw_object": "r", "dt": "d", "event_table": "e"})],
            "signed_up",
            {"t", "r", "d", "e"},
        ),
        # The context's own collision.
        ([_track({}, context={"page": {"path": "/a"}, "page_path": "/b"})], "tracks", {"/a", "/b"}),
    ],
)
def test_every_source_path_has_its_own_column(records, table, values) -> None:
    data = b"".join(_line(r) for r in records)
    names = NameRegistry()
    result = transform_object("2025/03/14/10/obj", data, names)
    assert result.dead_letters.empty and result.rows("tracks") == len(records)
    columns = result.tables[table].to_pydict()
    kept = {v for name, column in columns.items() for v in column if v in values}
    assert kept == values  # no value overwritten by another path's
    for table_columns in names.columns.values():  # one column per path, per table
        assert len(set(table_columns.values())) == len(table_columns)


def test_context_columns_are_snake_case_like_segment() -> None:
    result = transform_object(
        "2025/03/14/10/obj",
        _line(_track({}, context={"userAgent": "x", "page": {"path": "/"}})),
        NameRegistry(),
    )
    assert {"context_user_agent", "context_page_path"} <= set(result.tables["tracks"].column_names)


def test_two_keys_that_are_one_name_after_normalisation_refuse_the_record() -> None:
    data = _line(_track({"plan": 1, "plan\u200b": 2})) + _line(GOOD)
    result = transform_object("2025/03/14/10/obj", data, NameRegistry())
    assert result.rows("tracks") == 1 and result.records == 2
    assert "another key's name after normalisation" in result.dead_letters["reason"].iloc[0]


def test_a_distinct_name_is_never_one_already_taken() -> None:
    import hashlib

    from leanetl.lib.web_events.naming import _distinct

    suffixed = "foo_" + hashlib.sha1(b"FOO").hexdigest()[:6]
    names = NameRegistry()
    for event in (suffixed, "foo", "FOO"):  # three objects, three runs' worth of names
        names.table_for(event)
    assert len(set(names.tables.values())) == 3
    assert _distinct("foo", "FOO", {"foo"}) == suffixed


def test_a_registry_from_before_paths_were_kept_apart_keeps_its_columns() -> None:
    old = {
        "tables": {"Signed Up": "signed_up"},
        "columns": {"signed_up": {"a_b": "a_b", "plan": "plan"}},
    }
    names = NameRegistry.from_json(old)
    assert names.column_for("signed_up", ("properties", "a", "b"), ()) == "a_b"  # claims it
    assert names.column_for("signed_up", ("properties", "plan"), ()) == "plan"
    assert names.column_for("signed_up", ("properties", "a_b"), ()).startswith("a_b_")
    again = NameRegistry.from_json(json.loads(json.dumps(names.to_json())))
    assert again.columns == names.columns and again.legacy_columns == {}
    assert again.column_for("signed_up", ("properties", "a", "b"), ()) == "a_b"


class _Counted:
    """orjson and the exact decoder, counting the characters each is given to read."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import orjson

        from leanetl.lib.web_events import records

        self.read = 0
        counted = self

        class Orjson:
            JSONDecodeError = orjson.JSONDecodeError
            JSONEncodeError = orjson.JSONEncodeError

            @staticmethod
            def loads(text):
                counted.read += len(text)
                return orjson.loads(text)

        class Decoder(json.JSONDecoder):
            def raw_decode(self, text, index=0):
                try:
                    value, end = super().raw_decode(text, index)
                except json.JSONDecodeError as exc:
                    counted.read += exc.pos - index
                    raise
                counted.read += end - index
                return value, end

        monkeypatch.setattr(records, "orjson", Orjson)
        monkeypatch.setattr(records.json, "JSONDecoder", Decoder)


def _back_to_back(n: int, text: str = "é") -> bytes:
    return b"".join(json.dumps({**GOOD, "t": f"{text}{i}"}).encode() for i in range(n))


@pytest.mark.parametrize(
    ("line", "records", "letters"),
    [
        # One malformed record at the front of back-to-back records.
        (b'{"type":"track","event":' + _back_to_back(3000), 2999, 1),
        (b'{"type":"track","event":' + _back_to_back(3000, "a"), 2999, 1),
        # 20,000 '}{' inside one string, then more records.
        (
            json.dumps({**GOOD, "s": "}{" * 20_000}).encode() + _back_to_back(500),
            501,
            0,
        ),
        # Every other record malformed.
        (b"".join(b'{"a":1,}' + _back_to_back(1) for _ in range(1000)), 1000, 1000),
    ],
)
def test_reading_a_line_is_linear_in_its_length(monkeypatch, line, records, letters) -> None:
    counted = _Counted(monkeypatch)
    parsed = parse_object(line)
    assert (len(parsed.records), len(parsed.dead_letters)) == (records, letters)
    # Every character is read a bounded number of times (the whole line once, each piece
    # once, a malformed stretch once more), never once per later record.
    assert counted.read <= 4 * len(line.decode())
    offsets = parsed.offsets
    assert all(line[o : o + 1] == b"{" for o in offsets)  # byte offsets, not characters


def test_event_names_beyond_the_limit_share_other_events_and_lose_nothing() -> None:
    calls = [_track({"n": i, "deep": {"k": i}}, event=f"Event {i:02d}") for i in range(12)]
    names = NameRegistry(max_event_tables=5)
    result = transform_object("2025/03/14/10/obj", b"".join(map(_line, calls)), names)
    event_tables = set(result.tables) - {"tracks", "other_events"}
    assert len(event_tables) == 5 and result.rows("tracks") == 12
    other = result.tables["other_events"].to_pydict()
    assert other["event"] == [f"Event {i:02d}" for i in range(5, 12)]  # sorted: first 5 kept
    assert [json.loads(p) for p in other["properties"]] == [
        {"n": i, "deep": {"k": i}} for i in range(5, 12)
    ]
    assert set(other["event_table"]) == {"other_events"}
    # Stable: the next object keeps the same tables, and a new name still overflows.
    again = NameRegistry.from_json(json.loads(json.dumps(names.to_json())), max_event_tables=5)
    again.merge(names)
    assert again.table_for("Event 03") == "event_03" and again.table_for("New") == "other_events"
