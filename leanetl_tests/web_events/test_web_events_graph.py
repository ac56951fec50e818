"""The web events graph against moto's S3 over HTTP: sensor ticks with a durable cursor, runs,
deduplicated DuckDB views, re-runs that leave one copy."""

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import dagster as dg
import duckdb
import pandas as pd
import pytest

from leanetl.definitions import build_defs
from leanetl.io_managers.object_store import ObjectStore
from leanetl.settings import load_settings

pytestmark = pytest.mark.slow
TODAY = dt.datetime.now(dt.UTC).date()
DAY1, DAY0 = TODAY - dt.timedelta(days=1), TODAY - dt.timedelta(days=2)


def call(n: int, day: dt.date, event: str = "Post Created", **properties) -> dict:
    at = f"{day.isoformat()}T09:{n % 60:02d}:00Z"
    return {
        "type": "track",
        "event": event,
        "messageId": f"m-{day}-{n}",
        "userId": f"u{n % 7}",
        "timestamp": at,
        "receivedAt": at,
        "properties": properties or {"n": n},
    }


def key(day: dt.date, hour: int, name: str) -> str:
    return f"{day:%Y/%m/%d}/{hour:02d}/leanetl-web-1-{day}-{hour:02d}-00-00-{name}"


@pytest.fixture(scope="module")
def world(moto_endpoint, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    home = tmp_path_factory.mktemp("web")
    bucket = "firehose-landing"
    boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1").create_bucket(
        Bucket=bucket
    )
    mp.setenv("LEANETL_HOME", str(home))
    mp.delenv("LEANETL_ENV", raising=False)
    mp.delenv("LEANETL_LAKE_URL", raising=False)
    mp.setenv("LEANETL_S3_ENDPOINT_URL", moto_endpoint)
    mp.setenv("LEANETL_WEB_EVENTS_RAW_URL", f"s3://{bucket}/web-data/raw")
    settings = load_settings()
    defs = build_defs(settings)
    raw = ObjectStore(url=settings.web_events.raw_url, s3_endpoint_url=moto_endpoint)
    yield settings, defs, raw, dg.DagsterInstance.ephemeral()
    mp.undo()


def tick(defs, instance, raw, cursor):
    sensor = defs.resolve_sensor_def("web_events_new_objects")
    context = dg.build_sensor_context(cursor=cursor, instance=instance, resources={"web_raw": raw})
    return sensor(context)


def run(defs, instance, request) -> dg.ExecuteInProcessResult:
    job = defs.resolve_job_def("web_events_transform")
    return job.execute_in_process(
        partition_key=request.partition_key, run_config=request.run_config, instance=instance
    )


def day_rows(settings, table: str, day: dt.date) -> pd.DataFrame:
    root = Path(settings.web_events.url) / "transformed" / table / f"dt={day}"
    return pd.concat(
        [pd.read_parquet(p) for p in sorted(root.glob("*.parquet"))], ignore_index=True
    )


def test_new_objects_are_taken_once_across_ticks_and_restarts(world) -> None:
    settings, defs, raw, instance = world

    # 1,001 objects in one hour prefix (list pagination: 1,000 keys per page), both forms, gzip.
    def put(n: int) -> None:
        body = json.dumps(call(n, DAY1)).encode() + (b"\n" if n % 2 else b"")
        raw.put_bytes(key(DAY1, 10, f"{n:05d}"), body)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, range(1001)))
    first = tick(defs, instance, raw, None)
    assert [r.partition_key for r in first.run_requests] == [DAY1.isoformat()]
    keys = first.run_requests[0].run_config["ops"]["transform_web_events"]["config"]["keys"]
    assert len(keys) == 1001 and len(set(keys)) == 1001
    assert run(defs, instance, first.run_requests[0]).success
    assert len(day_rows(settings, "tracks", DAY1)) == 1001

    # Then: two objects back to back, braces in strings, and one landing late under an earlier
    # day's prefix that repeats a message already delivered (at least once).
    concatenated = b"".join(
        json.dumps(call(n, DAY1, "Post Created", text='}{ "quoted" }')).encode()
        for n in range(2000, 2003)
    )
    raw.put_bytes(key(DAY1, 11, "a"), concatenated)
    raw.put_bytes(key(DAY1, 11, "b"), json.dumps(call(2003, DAY1, "Followed User")).encode())
    raw.put_bytes(key(DAY0, 23, "late"), json.dumps(call(7, DAY1)).encode())  # m-DAY1-7 again

    second = tick(defs, instance, raw, first.cursor)  # a restarted sensor: only its cursor kept
    requested = {
        r.partition_key: r.run_config["ops"]["transform_web_events"]["config"]["keys"]
        for r in second.run_requests
    }
    assert requested == {
        DAY0.isoformat(): [key(DAY0, 23, "late")],
        DAY1.isoformat(): [key(DAY1, 11, "a"), key(DAY1, 11, "b")],
    }
    third = tick(defs, instance, raw, second.cursor)
    assert isinstance(third, dg.SkipReason)
    for request in second.run_requests:
        assert run(defs, instance, request).success
    # The last run (DAY1) checked its day's rows in the view: m-DAY1-7 is kept from DAY0's object
    # (same received_at; the earlier key wins), so DAY1 has one tracks row fewer there.
    last = run(defs, instance, second.run_requests[-1])
    [evaluation] = [
        e.asset_check_evaluation_data
        for e in last.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.asset_check_evaluation_data.check_name == "message_id_unique"
    ]
    assert evaluation.passed
    assert evaluation.metadata["rows_checked"].value["tracks"] == 1001 + 4 - 1

    tracks = day_rows(settings, "tracks", DAY1)
    assert len(tracks) == 1001 + 4  # each object transformed once
    assert (day_rows(settings, "post_created", DAY1)["text"].dropna() == '}{ "quoted" }').sum() == 3
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as conn:
        total, distinct = conn.execute(
            "select count(*), count(distinct message_id) from web_events.tracks"
        ).fetchone()
        raw_rows = conn.execute(
            "select count(*) from read_parquet(?)",
            [str(Path(settings.web_events.url) / "transformed/tracks/*/*.parquet")],
        ).fetchone()[0]
    assert raw_rows == 1001 + 4 + 1 and total == distinct == 1001 + 4  # m-DAY1-7 counted once


def test_rerunning_a_day_leaves_exactly_one_copy(world, monkeypatch) -> None:
    settings, defs, _, instance = world
    before = day_rows(settings, "tracks", DAY1).sort_values("message_id", ignore_index=True)
    files = sorted((Path(settings.web_events.url) / "transformed/tracks" / f"dt={DAY1}").iterdir())
    # The reprocess spreads the day's objects over two worker processes: the same files.
    monkeypatch.setenv("LEANETL_WEB_EVENTS_WORKERS", "2")
    monkeypatch.setenv("LEANETL_WEB_EVENTS_PARALLEL_MIN_MB", "0")
    spread = build_defs(load_settings()).resolve_job_def("web_events_transform")
    config = {"ops": {"transform_web_events": {"config": {"reprocess": True}}}}
    assert spread.execute_in_process(
        partition_key=DAY1.isoformat(), run_config=config, instance=instance
    ).success
    dead = instance.get_latest_materialization_event(dg.AssetKey(["web_events", "dead_letters"]))
    assert dead.asset_materialization.metadata["worker_processes"].value == 2
    spread_rows = day_rows(settings, "tracks", DAY1).sort_values("message_id", ignore_index=True)
    pd.testing.assert_frame_equal(before, spread_rows)
    job = defs.resolve_job_def("web_events_transform")
    for run_config in (config, {}):
        assert job.execute_in_process(
            partition_key=DAY1.isoformat(), run_config=run_config, instance=instance
        ).success
    after = day_rows(settings, "tracks", DAY1).sort_values("message_id", ignore_index=True)
    assert (
        sorted((Path(settings.web_events.url) / "transformed/tracks" / f"dt={DAY1}").iterdir())
        == files
    )
    pd.testing.assert_frame_equal(before, after)
    dead = instance.get_latest_materialization_event(dg.AssetKey(["web_events", "dead_letters"]))
    assert dead.asset_materialization.metadata["objects_this_run"].value == 0  # nothing new


def test_glue_tables_athena_can_query_with_partition_projection(
    moto_endpoint, tmp_path, monkeypatch
) -> None:
    import sqlglot

    bucket = "web-lake"
    boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1").create_bucket(
        Bucket=bucket
    )
    monkeypatch.setenv("LEANETL_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LEANETL_ENV", raising=False)
    monkeypatch.setenv("LEANETL_S3_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("LEANETL_GLUE_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("LEANETL_WEB_EVENTS_RAW_URL", f"s3://{bucket}/web-data/raw")
    monkeypatch.setenv("LEANETL_WEB_EVENTS_URL", f"s3://{bucket}/web-data")
    monkeypatch.setenv("LEANETL_WEB_EVENTS_GLUE_DATABASE", "web_analytics")
    settings = load_settings()
    raw = ObjectStore(url=settings.web_events.raw_url, s3_endpoint_url=moto_endpoint)
    # "size" is a number in one object and text in the next: the Glue column becomes string.
    raw.put_bytes(key(DAY1, 1, "one"), json.dumps(call(1, DAY1, "Post Created", size=3)).encode())
    raw.put_bytes(
        key(DAY1, 2, "two"), json.dumps(call(2, DAY1, "Post Created", size="big")).encode()
    )
    # A key with an empty segment (possible in S3, refused by leanetl's store): dead-lettered.
    boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1").put_object(
        Bucket=bucket, Key=f"web-data/raw/{DAY1:%Y/%m/%d}/03//odd", Body=b"{}"
    )
    defs = build_defs(settings)
    result = defs.resolve_job_def("web_events_transform").execute_in_process(
        partition_key=DAY1.isoformat(), instance=dg.DagsterInstance.ephemeral()
    )
    assert result.success
    glue = boto3.client("glue", endpoint_url=moto_endpoint, region_name="us-east-1")
    names = {t["Name"] for t in glue.get_tables(DatabaseName="web_analytics")["TableList"]}
    assert names == {"tracks", "post_created"}
    table = glue.get_table(DatabaseName="web_analytics", Name="post_created")["Table"]
    columns = {c["Name"]: c["Type"] for c in table["StorageDescriptor"]["Columns"]}
    assert columns["size"] == "string" and columns["timestamp"] == "timestamp"
    assert table["PartitionKeys"] == [{"Name": "dt", "Type": "string"}]
    assert table["Parameters"]["projection.dt.format"] == "yyyy-MM-dd"
    assert (
        table["StorageDescriptor"]["Location"]
        == f"s3://{bucket}/web-data/transformed/post_created/"
    )
    metadata = result.asset_materializations_for_node("web_events_query_tables")[0].metadata
    for statement in metadata["athena_ddl"].value.split("```sql\n")[1:]:
        parsed = sqlglot.parse_one(statement.split("\n```")[0], read="athena")
        assert parsed.key == "create"
    sqlglot.parse_one(metadata["athena_query"].value, read="athena")
    lake = ObjectStore(url=settings.web_events.url, s3_endpoint_url=moto_endpoint)
    [errors] = list(lake.list_keys(f"errors/dt={DAY1}/"))
    letter = json.loads(lake.get_bytes(errors))
    assert letter["locator"] == "whole object" and "empty" in letter["reason"]
    assert letter["source"].endswith("/03//odd")
