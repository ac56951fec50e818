"""The Chatfuel pull as Dagster runs it: a dropped export → users, attribute events and the
quarantine in the DuckDB warehouse, checks, re-runs that replace, a bad file that writes nothing."""

import datetime as dt
import tempfile
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from leanetl.definitions import build_defs
from leanetl.settings import load_settings

EXPORT = (
    "\ufeffChatfuel User ID,First Name,Last Name,Signed Up,Last Seen,Status,"
    'topic,"city, state",,quiz\n'
    "101,Ana,Okafor,2025-01-02T03:04:05Z,1741953600000,Reachable,climate,,x,1\n"
    '102,Ben,,2025-01-03 10:00,,UNSUBSCRIBED,,"Austin, TX",,\n'
    "103,Chen\n"  # ragged: quarantined
    "104,Dee,Ito,yesterday,,active,\u200b, ,,true\n"
)


@pytest.fixture
def pull(leanetl_home: Path):
    settings = load_settings()
    defs = build_defs(settings)
    instance = dg.DagsterInstance.ephemeral()
    source = Path(settings.chatfuel.source_url)
    source.mkdir(parents=True)

    def run(day: str, data: bytes | None = None) -> dg.ExecuteInProcessResult:
        if data is not None:
            (source / f"users_export-{day}.csv").write_bytes(data)
        return defs.resolve_job_def("chatfuel_daily").execute_in_process(
            partition_key=day, instance=instance, raise_on_error=False
        )

    def sql(query: str) -> list[tuple]:
        with duckdb.connect(str(settings.duckdb_path), read_only=True) as conn:
            return conn.execute(query).fetchall()

    return run, sql


def test_export_becomes_users_events_and_quarantine_and_reruns_replace(pull) -> None:
    run, sql = pull
    for _ in range(2):  # the second run replaces the day's slices
        result = run("2025-03-14", EXPORT.encode())
        assert result.success
    assert sql("select user_id, attribute, value, value_type from chatfuel.attribute_events") == [
        ("101", "topic", "climate", "string"),
        ("101", "quiz", "1", "long"),
        ("102", "city, state", "Austin, TX", "string"),
        ("104", "quiz", "true", "boolean"),
    ]
    users = sql("select user_id, name, signed_up, last_seen, status from chatfuel.users order by 1")
    utc = dt.UTC
    assert users == [
        ("101", "Ana Okafor", dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=utc),
         dt.datetime(2025, 3, 14, 12, 0, tzinfo=utc), "reachable"),
        ("102", "Ben", dt.datetime(2025, 1, 3, 10, 0, tzinfo=utc), None, "blocked"),
        ("104", "Dee Ito", None, None, "reachable"),
    ]  # fmt: skip
    assert sql("select distinct platform from chatfuel.users") == [("whatsapp",)]  # the setting
    assert sql("select locator, reason from chatfuel.contacts_quarantine order by 1") == [
        ("header column 9", "column 9 has a blank header: 1 non-empty cells not loaded"),
        ("line 4", "2 fields, the header has 10"),
    ]
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    raw_checks = {
        "source_not_truncated": True,
        "quarantine_below_limit": False,  # 1 of 4 rows: warns
        "events_reconcile": True,
        "event_users_known": True,
        "user_ids_unique": True,
        # The sample bot has no broadcasts before 2025-09-01: empty slices, checks pass.
        "broadcast_ids_unique": True,
        "entries_written": True,
        "recipients_are_users": True,
    }
    assert {name: checks[name] for name in raw_checks} == raw_checks
    assert all(passed for name, passed in checks.items() if name not in raw_checks)  # dbt tests
    events = next(
        m for m in result.get_asset_materialization_events()
        if m.asset_key == dg.AssetKey(["chatfuel", "attribute_events"])
    ).materialization.metadata  # fmt: skip
    assert events["dagster/row_count"].value == 4 and events["attributes"].value == 3
    users_metadata = next(
        m for m in result.get_asset_materialization_events()
        if m.asset_key == dg.AssetKey(["chatfuel", "users"])
    ).materialization.metadata  # fmt: skip
    assert users_metadata["unreadable_times"].value == 1  # 'yesterday'


def test_new_attributes_are_listed_and_a_bad_export_writes_nothing(pull) -> None:
    run, sql = pull
    assert run("2025-03-14", EXPORT.encode()).success
    grown = (
        EXPORT.replace(",quiz\n", ",quiz,Newsletter Opened\n", 1)
        .replace(",1\n", ",1,yes\n")
        .replace(",,\n", ",,,\n")
        .replace(",true\n", ",true,\n")
    )
    result = run("2025-03-15", grown.encode())
    assert result.success
    metadata = next(
        m for m in result.get_asset_materialization_events()
        if m.asset_key == dg.AssetKey(["chatfuel", "attribute_events"])
    ).materialization.metadata  # fmt: skip
    assert metadata["new_attribute_names"].value == ["Newsletter Opened"]
    bad = run("2025-03-16", b"chatfuel user id,topic\n101,caf\xe9\n")
    assert not bad.success
    failure = bad.get_step_failure_events()[0].step_failure_data.error.message
    assert "users_export-2025-03-16.csv: not UTF-8 text (byte 30)" in failure
    assert sql("select dt, count(*) from chatfuel.attribute_events group by 1 order by 1") == [
        (dt.date(2025, 3, 14), 4),
        (dt.date(2025, 3, 15), 5),  # the four of the day before and 101's newsletter
    ]


@pytest.mark.slow
def test_an_export_in_s3_is_streamed_to_a_temporary_file_and_loaded(
    leanetl_home: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket="chatfuel-drop")
    s3.put_object(
        Bucket="chatfuel-drop", Key="exports/users_export-2025-03-14.csv", Body=EXPORT.encode()
    )
    monkeypatch.setenv("LEANETL_S3_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("LEANETL_RETRIES", "0")
    monkeypatch.setenv("LEANETL_CHATFUEL_SOURCE_URL", "s3://chatfuel-drop/exports")
    settings = load_settings()
    result = (
        build_defs(settings)
        .resolve_job_def("chatfuel_daily")
        .execute_in_process(partition_key="2025-03-14", instance=dg.DagsterInstance.ephemeral())
    )
    assert result.success
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as conn:
        assert conn.execute("select count(*) from chatfuel.attribute_events").fetchone() == (4,)
    assert not list(Path(tempfile.gettempdir()).glob(".tmp-*/object"))  # the download is gone
