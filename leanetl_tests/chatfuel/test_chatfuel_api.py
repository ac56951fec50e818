"""The Chatfuel GraphQL client against the fake server over HTTP: operations valid against the
schema, paging, the 1,500-name batches, retries, refusals, the export task; and the pull through
Dagster with a token (export task, and contacts pages when the export fails)."""

import datetime as dt
import json
import re
from pathlib import Path

import dagster as dg
import duckdb
import graphql
import pytest

from leanetl.clients.chatfuel import (
    ChatfuelClient,
    ChatfuelError,
    download,
)
from leanetl.clients.chatfuel_http import http_transport
from leanetl.clients.chatfuel_operations import OPERATIONS, SCHEMA
from leanetl.definitions import build_defs
from leanetl.lib.chatfuel.tasks import export_state
from leanetl.sample.chatfuel import export_bytes
from leanetl.sample.chatfuel_api import SampleBot
from leanetl.settings import load_settings
from leanetl_tests.fakes.chatfuel_api import TOKEN, fake_chatfuel

DAY = dt.date(2026, 11, 12)  # a Thursday: the scheduled broadcast of Monday 11-09 is 3 days old


def _client(url: str, token: str = TOKEN, **options: object) -> ChatfuelClient:
    transport = http_transport(f"{url}/graphql", token)
    return ChatfuelClient(transport, "bot-1", sleep=lambda _: None, **options)  # type: ignore[arg-type]


def test_every_operation_is_valid_against_the_schema() -> None:
    schema = graphql.build_schema(SCHEMA.read_text())
    for name, operation in OPERATIONS.items():
        assert graphql.validate(schema, graphql.parse(operation)) == [], name
    misspelt = OPERATIONS["LeanetlFlows"].replace("sentToContactsCount", "sentCount")
    assert graphql.validate(schema, graphql.parse(misspelt))  # the check can fail


def test_pages_batches_of_names_and_retries_over_http() -> None:
    with fake_chatfuel(DAY) as fake:
        client = _client(fake.url)
        names = [a.name for a in client.attributes()]
        assert len(names) == 1_704 and "Lieblingsthema" in names and "" not in names
        pages = list(client.contacts(names))
        # One 429 and one transient GraphQL error, both retried.
        assert [r.split(":")[1].strip() for r in client.retried] == [
            "HTTP 429",
            "GraphQL error InternalServerError",
        ]
        assert set(fake.names_asked) == {1_500, 204}  # every page asked in two batches
        assert len(pages) == 25 and sum(len(p) for p in pages) == 2_500
        expected = dict(fake.bot.contacts)
        got = {row.id: row.values for page in pages for row in page}
        assert got == {
            k: {n: v for n, v in values.items() if n in names} for k, values in expected.items()
        }


def test_refusals_name_the_operation_and_never_the_token() -> None:
    with fake_chatfuel(DAY, throttle_at=set(), transient_at=set()) as fake:
        with pytest.raises(ChatfuelError, match="LeanetlContacts failed: TooManyAttributeNames"):
            next(
                _client(fake.url, names_per_request=2_000).contacts([f"a{i}" for i in range(1_600)])
            )
        with pytest.raises(
            ChatfuelError, match="LeanetlContactIDs failed: ContactSearchSizeInvalid"
        ):
            next(_client(fake.url, page_size=500).contact_ids())
        with pytest.raises(ChatfuelError, match="LeanetlFlows failed: Unauthorized") as refused:
            _client(fake.url, token="wrong-token-123").flows()
        assert "wrong-token-123" not in str(refused.value)


def test_export_task_is_polled_until_its_file_is_ready(tmp_path: Path) -> None:
    with fake_chatfuel(DAY, throttle_at=set(), transient_at=set()) as fake:
        client = _client(fake.url)
        url = client.export_url(poll_seconds=0, max_polls=5)
        polls = [p for p in fake.graphql_requests if p["operationName"] == "LeanetlExportTask"]
        assert len(polls) == 3
        assert download(url, tmp_path / "export.csv") == len(export_bytes(DAY))
        with pytest.raises(ChatfuelError, match="still running after 2 polls"):
            client.export_url(poll_seconds=0, max_polls=2)


def test_export_state_reads_the_latest_status_and_the_deadline() -> None:
    now = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    task = {"id": "t", "deadline": "2026-01-01T13:00:00Z", "data": {"file": None}, "statuses": [
        {"startedAt": "2026-01-01T11:00:02Z", "type": "InProgress"},
        {"startedAt": "2026-01-01T11:00:00Z", "type": "Created"},
    ]}  # fmt: skip
    assert export_state(task, now) == ("running", "InProgress")
    assert export_state(task, now + dt.timedelta(hours=2))[0] == "failed"
    task["statuses"].append({"startedAt": "2026-01-01T11:05:00Z", "type": "Finished"})
    assert export_state(task, now) == ("failed", "finished without a ready file (file status None)")
    task["data"]["file"] = {"url": "http://x/e.csv", "status": "Ready"}
    assert export_state(task, now) == ("finished", "http://x/e.csv")


def _pull(monkeypatch: pytest.MonkeyPatch, url: str) -> tuple[dg.ExecuteInProcessResult, object]:
    monkeypatch.setenv("LEANETL_CHATFUEL_TOKEN", TOKEN)
    monkeypatch.setenv("LEANETL_CHATFUEL_BOT_ID", "bot-1")
    monkeypatch.setenv("LEANETL_CHATFUEL_GRAPHQL_URL", f"{url}/graphql")
    monkeypatch.setenv("LEANETL_CHATFUEL_POLL_SECONDS", "0")
    monkeypatch.setenv("LEANETL_CHATFUEL_BACKOFF_SECONDS", "0")
    settings = load_settings()
    job = build_defs(settings).resolve_job_def("chatfuel_daily")
    return job.execute_in_process(partition_key=DAY.isoformat(), raise_on_error=False), settings


def _metadata(result: dg.ExecuteInProcessResult, name: str) -> dict:
    return next(
        m.materialization.metadata for m in result.get_asset_materialization_events()
        if m.asset_key == dg.AssetKey(["chatfuel", name])
    )  # fmt: skip


@pytest.mark.slow
def test_the_pull_through_the_api_export_then_contacts_pages(
    leanetl_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with fake_chatfuel(DAY) as fake:
        for _ in range(2):  # a re-run replaces the day
            result, settings = _pull(monkeypatch, fake.url)
            assert result.success
        assert _metadata(result, "users")["route"].value == "export task"
        # Only the scheduled broadcast of 2026-11-09 was sent 1-7 days before (one-time ones
        # are first seen Finished on this, the first, pull); the sample bot counts its audience.
        housing = fake.bot._segments_of(dt.date(2026, 11, 9))
        expected_recipients = {"flow-20261109": fake.bot._reach(housing)}
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as conn:
        sql = lambda q: conn.execute(q).fetchall()  # noqa: E731
        assert sql("select count(*), count(distinct user_id) from chatfuel.users") == [
            (2_500, 2_500)
        ]
        assert sql("select count(*) from chatfuel.broadcasts") == [(64,)]
        got = dict(
            sql("select broadcast_id, count(*) from chatfuel.broadcast_recipients group by 1")
        )
        assert got == expected_recipients and got
        assert sql("select count(distinct broadcast_id) from chatfuel.user_filters") == [
            (len(got),)
        ]
        renamed = sql("select name from chatfuel.segments where segment_id = 'seg-housing'")
        assert renamed == [("Housing & rent readers",)]
        events = set(sql("select user_id, attribute, value from chatfuel.attribute_events"))
    entries = sorted(Path(settings.chatfuel.entries_url, f"dt={DAY}").glob("*.json"))
    assert len(entries) == 64
    assert json.loads(entries[-1].read_text())["template"]["templateID"].startswith("tpl-")
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert all(checks.values()) and len(checks) > 8, checks  # raw checks and dbt tests

    with fake_chatfuel(DAY, exports=False) as fake:  # every export task fails: contacts pages
        result, settings = _pull(monkeypatch, fake.url)
        assert result.success
        assert set(fake.names_asked) == {1_500, 204}
    metadata = _metadata(result, "users")
    assert metadata["route"].value == "contacts pages"
    assert "task failed" in metadata["export_failure"].value
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as conn:
        paged = set(
            conn.execute(
                "select user_id, attribute, value from chatfuel.attribute_events"
            ).fetchall()
        )
    # Both routes give the same events (the export's ragged test line is no subscriber).
    assert paged == events and len(events) > 50_000


def test_a_broadcast_id_that_is_no_key_segment_fails_before_anything_is_written() -> None:
    from leanetl.lib.chatfuel.broadcasts import broadcast_of
    from leanetl.lib.chatfuel.entries import entry_documents
    from leanetl.lib.keys import UnsafeKeyError

    bot = SampleBot(DAY)
    flow = bot._flows["flowGroups"][0]["flows"][0]
    good = broadcast_of(flow)
    bad = broadcast_of({**flow, "id": "../../etc/x"})
    assert good and bad
    assert list(entry_documents([good], DAY, "t")) == [f"dt={DAY}/{good.id}.json"]
    with pytest.raises(UnsafeKeyError, match=re.escape("Chatfuel broadcast id '../../etc/x'")):
        entry_documents([good, bad], DAY, "t")
