"""Secrets never leave the process: every outside system fails (connection refused, 500, 400)
with recognisable secrets set, then the whole Dagster home, the lake, the embedded Mongo store,
stdout/stderr and the failure e-mail are searched for them."""

import datetime as dt
import json
import os
from pathlib import Path

import dagster as dg
import pytest

from leanetl.definitions import build_defs
from leanetl.io_managers.mongo import MongoStore
from leanetl.lib.redact import RedactedError
from leanetl.resources import build_resources
from leanetl.sample.prepare import prepare
from leanetl.settings import load_settings
from leanetl_tests.fakes.google_auth import service_account_info
from leanetl_tests.fakes.graph_api import FakeGraphApi
from leanetl_tests.fakes.http import Response
from leanetl_tests.fakes.processes import free_port
from leanetl_tests.fakes.smtp import smtp_server

pytestmark = pytest.mark.slow

FB_TOKEN = "EAABsecretFBtoken9f8e7d6c5b4a"
SMTP_PASSWORD = "smtpSECRETpw-42x"
AWS_SECRET = "awsSECRETkey1234567890"
MONGO_PASSWORD = "mongoSECRETpw77"


def refused_url() -> str:
    return f"http://127.0.0.1:{free_port()}"  # nothing listens there


@pytest.fixture
def env(tmp_path, monkeypatch):
    home = tmp_path / "home"
    credentials = service_account_info(f"{refused_url()}/token")
    for name, value in {
        "LEANETL_HOME": str(home),
        "LEANETL_TIMEZONE": "America/Chicago",
        "LEANETL_FB_ACCESS_TOKEN": FB_TOKEN,
        "LEANETL_FB_BACKOFF_SECONDS": "0.01",
        "LEANETL_FB_POLL_SECONDS": "0.01",
        "LEANETL_RETRIES": "0",
        "LEANETL_LEADS_SHEET_KEY": "sheet-key",
        "LEANETL_SHEETS_API_URL": refused_url(),
        "LEANETL_LEADS_SHEETS_CREDENTIALS": json.dumps(credentials),
        "AWS_SECRET_ACCESS_KEY": AWS_SECRET,
        "LEANETL_MONGO_URI": f"mongodb://leanetl:{MONGO_PASSWORD}@127.0.0.1:{free_port()}/",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("LEANETL_ENV", "LEANETL_LAKE_URL", "LEANETL_LEADS_SOURCE_URL"):
        monkeypatch.delenv(name, raising=False)
    # The private key as it appears in text and inside JSON (with escaped newlines).
    key_lines = [line for line in credentials["private_key"].splitlines() if len(line) > 40]
    secrets = [FB_TOKEN, SMTP_PASSWORD, AWS_SECRET, MONGO_PASSWORD, *key_lines[1:4]]
    # The sample sources (campaigns in the embedded store, the leads export), asked for.
    settings = load_settings()
    prepare(settings, [settings.today() - dt.timedelta(days=1)])
    (tmp_path / "dagster").mkdir()
    instance = dg.DagsterInstance.local_temp(tempdir=str(tmp_path / "dagster"))
    return {"home": home, "dagster": tmp_path / "dagster", "instance": instance, "secrets": secrets}


def run_job(env, job: str) -> dg.ExecuteInProcessResult:
    day = (load_settings().today() - dt.timedelta(days=1)).isoformat()
    return (
        build_defs(load_settings())
        .resolve_job_def(job)
        .execute_in_process(partition_key=day, instance=env["instance"], raise_on_error=False)
    )


def step_errors(result: dg.ExecuteInProcessResult) -> str:
    return "\n".join(
        e.step_failure_data.error.to_string() for e in result.all_events if e.is_step_failure
    )


def email_failure(env, result, inbox) -> None:
    sensor = build_defs(load_settings()).resolve_sensor_def("email_on_run_failure")
    failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    with dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_event=failure,
        dagster_instance=env["instance"],
        dagster_run=env["instance"].get_run_by_id(result.run_id),
        resources={"mailer": build_resources(load_settings())["mailer"]},
    ) as context:
        sensor(context.for_run_failure())


def leaks(env, captured: str, mails: list[str]) -> list[str]:
    """Every place a secret was found: file paths, 'stdout', 'mail'."""
    found = []
    for root in (env["dagster"], env["home"]):
        for path in Path(root).rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                found += [f"{path}: {s[:8]}…" for s in env["secrets"] if s.encode() in data]
    found += [f"stdout/stderr: {s[:8]}…" for s in env["secrets"] if s in captured]
    found += [f"mail: {s[:8]}…" for s in env["secrets"] for m in mails if s in m]
    return found


def test_no_secret_reaches_any_log_file_or_mail_when_every_system_fails(
    env, monkeypatch, capfd
) -> None:
    results = {}
    # 1. Graph API: connection refused (the SDK's error names the URL it tried).
    monkeypatch.setenv("LEANETL_FB_GRAPH_URL", refused_url())
    results["refused"] = run_job(env, "campaigns_refresh")
    # 2. A 500 with a body that quotes the request; 3. a 400 that echoes the token.
    echo = f"Invalid OAuth access token {FB_TOKEN} in /act_1/insights?access_token={FB_TOKEN}"
    for name, failure in {
        "500": Response(500, f"<html>upstream error for access_token={FB_TOKEN}</html>"),
        "400": Response(400, {"error": {"message": echo, "type": "OAuthException", "code": 190}}),
    }.items():
        with FakeGraphApi([]) as graph:
            graph.failures = [failure] * 20
            monkeypatch.setenv("LEANETL_FB_GRAPH_URL", graph.url)
            results[name] = run_job(env, "campaigns_refresh")
    for name, result in results.items():
        assert not result.success, name
        assert "Graph API" in step_errors(result), step_errors(result)
    assert "Graph API unreachable: ConnectionError" in step_errors(results["refused"])
    assert "Graph API error 190" in step_errors(results["400"])
    # 4. Sheets: its token endpoint refuses; leads falls back to the sample export and says why.
    leads = run_job(env, "leads_daily")
    assert leads.success
    reason = next(
        e.materialization.metadata["fallback_reason"].value
        for e in leads.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey(["leads", "leads_raw"])
    )
    assert "Google authentication failed" in reason
    # 5. Web events: the Firehose bucket's S3 endpoint refuses (credentials set).
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAleanetlTEST")
    monkeypatch.setenv("LEANETL_S3_ENDPOINT_URL", refused_url())
    monkeypatch.setenv("LEANETL_WEB_EVENTS_RAW_URL", "s3://firehose/web-data/raw")
    web = run_job(env, "web_events_transform")
    assert not web.success and "Could not connect" in step_errors(web), step_errors(web)
    # 6. The failure e-mails, sent with a login whose password must not be in them.
    with smtp_server(password=SMTP_PASSWORD) as inbox:
        for name, value in {
            "LEANETL_SMTP_HOST": inbox.host,
            "LEANETL_SMTP_PORT": str(inbox.port),
            "LEANETL_SMTP_TLS": "none",
            "LEANETL_SMTP_USER": inbox.user,
            "LEANETL_SMTP_PASSWORD": SMTP_PASSWORD,
            "LEANETL_ALERT_TO": "team@example.org",
        }.items():
            monkeypatch.setenv(name, value)
        env["secrets"].append(SMTP_PASSWORD)
        for result in results.values():
            email_failure(env, result, inbox)
        mails = [m.as_string() for m in inbox.messages]
    assert len(mails) == 3 and "Graph API" in mails[0]
    # 7. The mail server and MongoDB refuse: their errors are scrubbed too.
    monkeypatch.setenv("LEANETL_SMTP_PORT", str(free_port()))
    with pytest.raises(RedactedError) as smtp_error:
        email_failure(env, results["400"], None)
    mongo = MongoStore(uri=f"{os.environ['LEANETL_MONGO_URI']}?serverSelectionTimeoutMS=300")
    with pytest.raises(RedactedError) as mongo_error, mongo.session("campaigns") as database:
        database["campaigns"].find_one()
    for error in (smtp_error.value, mongo_error.value):
        assert not [s for s in env["secrets"] if s in str(error)], str(error)
        assert error.__cause__ is None and error.__suppress_context__
    captured = capfd.readouterr()
    assert not leaks(env, captured.out + captured.err, mails)
    # The search can fail: the secrets were sent, just never written down.
    assert (env["dagster"] / "history").exists()


CHATFUEL_TOKEN = "cfSECRETtoken-3c2b1a"


def test_no_chatfuel_token_reaches_any_file_or_output_when_chatfuel_fails(
    env, monkeypatch, capfd
) -> None:
    from leanetl_tests.fakes.http import FakeServer

    monkeypatch.setenv("LEANETL_CHATFUEL_TOKEN", CHATFUEL_TOKEN)
    monkeypatch.setenv("LEANETL_CHATFUEL_BOT_ID", "bot-1")
    monkeypatch.setenv("LEANETL_CHATFUEL_BACKOFF_SECONDS", "0.01")
    env["secrets"].append(CHATFUEL_TOKEN)
    errors = {}
    # 1. Connection refused; 2. a 500 quoting the token; 3. a GraphQL error echoing it.
    monkeypatch.setenv("LEANETL_CHATFUEL_GRAPHQL_URL", f"{refused_url()}/graphql")
    errors["refused"] = step_errors(run_job(env, "chatfuel_daily"))
    echo = f"bad token {CHATFUEL_TOKEN} (Authorization: Bearer {CHATFUEL_TOKEN})"
    for name, reply in {
        "500": Response(500, f"<html>upstream failed for Bearer {CHATFUEL_TOKEN}</html>"),
        "error": Response(
            200, {"data": None, "errors": [{"message": echo, "extensions": {"code": "BadToken"}}]}
        ),
    }.items():
        with FakeServer(lambda request, reply=reply: reply) as server:
            monkeypatch.setenv("LEANETL_CHATFUEL_GRAPHQL_URL", f"{server.url}/graphql")
            errors[name] = step_errors(run_job(env, "chatfuel_daily"))
    assert "connection failed: ConnectionError" in errors["refused"], errors["refused"]
    assert "HTTP 500 (after 6 tries)" in errors["500"], errors["500"]
    assert "failed: BadToken: bad token ***" in errors["error"], errors["error"]
    captured = capfd.readouterr()
    assert not leaks(env, captured.out + captured.err, [])
    assert (env["dagster"] / "history").exists()
