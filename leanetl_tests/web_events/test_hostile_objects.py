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
