"""The prod and branch Definitions with every real resource pointed at local servers that speak
the real wire format: BigQuery (bqemulator), GCS (fake-gcs-server), S3 (moto), Sheets and its OAuth
token endpoint, the Graph API, Chatfuel, SMTP. The volunteers domain then runs end to end in prod:
VAN's table read in place from BigQuery, dbt on BigQuery, the dashboard in the GCS lake."""

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator

import boto3
import dagster as dg
import pandas as pd
import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from leanetl.clients import bigquery as bq
from leanetl.definitions import build_defs
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.warehouse import Warehouse
from leanetl.lib.parquet import read_parquet_bytes
from leanetl.sample.leads import generate_companies, generate_leads
from leanetl.sample.web_events import ensure_sample_objects
from leanetl.settings import Settings, load_settings
from leanetl_tests.e2e.test_leads_graph import sheet_rows
from leanetl_tests.fakes.chatfuel_api import TOKEN as CHATFUEL_TOKEN
from leanetl_tests.fakes.chatfuel_api import fake_chatfuel
from leanetl_tests.fakes.google_auth import service_account_info, token_endpoint
from leanetl_tests.fakes.http import FakeServer
from leanetl_tests.fakes.processes import free_port
from leanetl_tests.fakes.sheets_api import FakeSheetsApi
from leanetl_tests.fakes.sheets_api import service_account_info as sheets_service_account
from leanetl_tests.fakes.smtp import smtp_server
from leanetl_tests.volunteers.dbt_runner import source_frame
from leanetl_tests.volunteers.test_flake_rate_dbt import SOURCE

pytestmark = pytest.mark.slow
DAY = "2025-03-14"


@pytest.fixture(scope="module")
def servers(
    bigquery_emulator: str, fake_gcs_endpoint: str, moto_endpoint: str, tmp_path_factory
) -> Iterator[dict[str, str]]:
    """Every production endpoint on loopback, and the environment that points leanetl at them."""
    tag = uuid.uuid4().hex[:8]
    home = tmp_path_factory.mktemp("prod")
    with FakeServer(token_endpoint) as oauth, smtp_server() as inbox:
        keyfile = home / "sa.json"
        keyfile.write_text(json.dumps(service_account_info(f"{oauth.url}/token", "test")))
        gcs, s3 = f"lake-{tag}", f"raw-{tag}"
        mp = pytest.MonkeyPatch()
        mp.setenv("STORAGE_EMULATOR_HOST", fake_gcs_endpoint)
        storage.Client(project="test", credentials=AnonymousCredentials()).create_bucket(gcs)
        boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1").create_bucket(
            Bucket=s3
        )
        env = {
            "LEANETL_HOME": str(home),
            "LEANETL_TIMEZONE": "America/Chicago",
            "LEANETL_BQ_PROJECT": "test",
            bq.EMULATOR_HOST: bigquery_emulator,
            # The key's JSON text, as Dagster+ Serverless keeps secrets (dbt and Google's clients
            # take it as credentials; a path works as well: test_dbt_on_bigquery).
            "GOOGLE_APPLICATION_CREDENTIALS": keyfile.read_text(),
            "LEANETL_VAN_SIGNUPS_TABLE": f"test.van_{tag}.event_signups",
            "LEANETL_LAKE_URL": f"gs://{gcs}/leanetl",
            "LEANETL_WEB_EVENTS_RAW_URL": f"s3://{s3}/web-data/raw",
            "LEANETL_S3_ENDPOINT_URL": moto_endpoint,
            "LEANETL_MONGO_URI": f"mongodb://127.0.0.1:{free_port()}/",
            "LEANETL_SHEETS_API_URL": oauth.url,
            "LEANETL_FB_GRAPH_URL": oauth.url,
            "LEANETL_CHATFUEL_GRAPHQL_URL": f"{oauth.url}/graphql",
            "LEANETL_SMTP_HOST": inbox.host,
            "LEANETL_SMTP_PORT": str(inbox.port),
            "LEANETL_SMTP_TLS": "none",
            "LEANETL_SMTP_USER": inbox.user,
            "LEANETL_SMTP_PASSWORD": inbox.password,
            "LEANETL_ALERT_TO": "team@example.org",
        }
        for name, value in env.items():
            mp.setenv(name, value)
        mp.setenv("LEANETL_ENV", "prod")
        yield {**env, "inbox": inbox, "lake_bucket": gcs, "raw_bucket": s3}  # type: ignore[misc]
        mp.undo()


def _resources(defs: dg.Definitions) -> dict:
    return {
        name: getattr(r, "get_resource_definition", lambda r=r: r)()
        for name, r in defs.resources.items()
    }


@pytest.mark.parametrize("env", ["prod", "branch"])
def test_prod_and_branch_definitions_reach_every_local_server(servers, monkeypatch, env) -> None:
    monkeypatch.setenv("LEANETL_ENV", env)
    monkeypatch.setenv("DAGSTER_CLOUD_PULL_REQUEST_ID", "7")
    settings = load_settings()
    defs = build_defs(settings)
    assert defs.resolve_job_def("volunteers_daily") is not None
    resources = defs.resources
    # As a run gets them: EnvVars resolved (secrets from the environment at run time).
    live = {
        name: resources[name].process_config_and_initialize()
        for name in ("lake", "web_raw", "warehouse", "mailer")
    }
    suffix = "_pr7" if env == "branch" else ""
    warehouse = resources["warehouse"]
    assert (warehouse.backend, warehouse.bq_project, warehouse.dataset_suffix) == (
        "bigquery",
        "test",
        suffix,
    )
    # Each resource talks to its server through its real client.
    key = f"checks/{env}.txt"
    live["lake"].put_bytes(key, b"ok")
    assert live["lake"].get_bytes(key) == b"ok" and live["lake"].url.startswith("gs://")
    live["web_raw"].put_bytes("2025/03/14/00/probe.gz", b"x")
    assert list(live["web_raw"].list_keys("2025/03/14")) == ["2025/03/14/00/probe.gz"]
    assert live["warehouse"].table_exists("volunteers", "nothing_yet") is False
    live["mailer"].send(f"leanetl {env}: test alert", "body")
    assert servers["inbox"].messages[-1]["Subject"] == f"leanetl {env}: test alert"
    assert resources["sheets"].api_url == servers["LEANETL_SHEETS_API_URL"]
    assert resources["facebook"].graph_url == servers["LEANETL_FB_GRAPH_URL"]
    assert not resources["facebook"].sample and not resources["chatfuel"].sample
    assert resources["dbt"].target == "bigquery"
    # The key arrives as JSON text: resources get it as an EnvVar, resolved only at run time.
    assert isinstance(resources["warehouse"].google_key_json, dg.EnvVar)
    assert "PRIVATE KEY" not in repr(resources)


def _load_van_table(servers: dict) -> None:
    frame = source_frame(SOURCE)
    _, dataset, table = servers["LEANETL_VAN_SIGNUPS_TABLE"].split(".")
    van = Warehouse(
        backend="bigquery", bq_project="test", bq_emulator_host=servers[bq.EMULATOR_HOST]
    )
    van.replace_table(dataset, table, frame)


def test_the_volunteers_domain_runs_end_to_end_in_prod(servers) -> None:
    _load_van_table(servers)
    defs = build_defs(load_settings())
    result = defs.resolve_job_def("volunteers_daily").execute_in_process(
        partition_key=DAY, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )
    assert result.success
    checks = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    assert len(checks) >= 10 and all(c.passed for c in checks), [
        c.check_name for c in checks if not c.passed
    ]
    warehouse = Warehouse(
        backend="bigquery", bq_project="test", bq_emulator_host=servers[bq.EMULATOR_HOST]
    )
    weekly = warehouse.query(
        f"select as_of_date, count(*) as n from {warehouse.table_ref('volunteers', 'flake_rate_weekly')} "
        "group by as_of_date"
    )
    assert weekly["as_of_date"].astype(str).tolist() == [DAY] and weekly["n"].iloc[0] >= 4
    lake = storage.Client(project="test", credentials=AnonymousCredentials()).bucket(
        servers["lake_bucket"]
    )
    page = lake.blob(f"leanetl/dashboards/volunteers/flake_rate/dt={DAY}/index.html")
    assert "Volunteer flake rate" in page.download_as_text()


# --- Chatfuel: the daily job in prod (BigQuery emulator, GCS lake, Chatfuel's API fake) and
# locally (DuckDB, a lake on disk), the same two pull days, table by table.
CHATFUEL_DAYS = [dt.date(2026, 11, 9), dt.date(2026, 11, 10)]
CHATFUEL_TABLES = [
    "users", "attribute_events", "contacts_quarantine", "broadcasts", "user_filters",
    "broadcast_recipients", "segments", "int_chatfuel__users_history",
    "int_chatfuel__attribute_history", "int_chatfuel__broadcasts_history",
    "int_chatfuel__recipients_first_listed", "users_daily", "broadcasts_daily",
]  # fmt: skip
RUN_TIMES = {"pulled_at"}  # when the pull ran: differs between any two runs


def _chatfuel_env(fake_url: str) -> dict[str, str]:
    return {
        "LEANETL_CHATFUEL_TOKEN": CHATFUEL_TOKEN,
        "LEANETL_CHATFUEL_BOT_ID": "bot-1",
        "LEANETL_CHATFUEL_GRAPHQL_URL": f"{fake_url}/graphql",
        "LEANETL_CHATFUEL_POLL_SECONDS": "0",
        "LEANETL_CHATFUEL_BACKOFF_SECONDS": "0",
    }


def _run_chatfuel(environ: dict[str, str], day: dt.date) -> dg.ExecuteInProcessResult:
    with fake_chatfuel(day, throttle_at=set(), transient_at=set()) as fake:
        settings = load_settings({**environ, **_chatfuel_env(fake.url)})
        job = build_defs(settings).resolve_job_def("chatfuel_daily")
        return job.execute_in_process(
            partition_key=day.isoformat(), instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
        )  # fmt: skip


def _table(warehouse: Warehouse, table: str) -> list[tuple]:
    """The table's rows as comparable text, run times aside, sorted."""
    frame = warehouse.query(f"select * from {warehouse.table_ref('chatfuel', table)}")
    frame = frame.drop(columns=[c for c in frame.columns if c in RUN_TIMES])
    frame = frame.reindex(sorted(frame.columns), axis=1)

    def text(value: object) -> str | None:
        if value is None or (not isinstance(value, list | dict) and pd.isna(value)):
            return None
        if isinstance(value, pd.Timestamp | dt.datetime):
            stamp = pd.Timestamp(value)
            if stamp.tz is None and stamp == stamp.normalize():
                return stamp.date().isoformat()  # a DATE: DuckDB's frames hold it as a Timestamp
            return (stamp.tz_convert("UTC") if stamp.tz else stamp).isoformat()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))  # an integer column with nulls: a float in one frame
        return str(value)

    return sorted((tuple(text(v) for v in row) for row in frame.itertuples(index=False)), key=str)


def _chatfuel_files(environ: dict[str, str]) -> dict[str, object]:
    """Each day's message documents (run time aside) and whether its dashboard page exists."""
    settings = load_settings({**environ, **_chatfuel_env("http://unused")})
    entries = ObjectStore(url=settings.chatfuel.entries_url)
    lake = ObjectStore(url=settings.lake_url)
    found: dict[str, object] = {}
    for day in CHATFUEL_DAYS:
        for key in entries.list_keys(f"dt={day}/"):
            document = json.loads(entries.get_bytes(key))
            found[key] = {k: v for k, v in document.items() if k not in RUN_TIMES}
        page = f"dashboards/chatfuel/subscribers/dt={day}/index.html"
        found[page] = lake.exists(page)
    return found


def test_the_chatfuel_domain_runs_in_prod_as_it_does_locally(
    servers, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("LEANETL_CHATFUEL_TOKEN", CHATFUEL_TOKEN)  # read as an EnvVar at run time
    tag = uuid.uuid4().hex[:6]
    prod_env = dict(os.environ)
    prod_env["LEANETL_DATASET_SUFFIX"] = f"_t{tag}"  # this test's datasets on the shared emulator
    local_env = {
        "LEANETL_HOME": str(tmp_path / "local"),
        "LEANETL_ENV": "local",
        "LEANETL_TIMEZONE": "America/Chicago",
        "LEANETL_SAMPLE_DATA": "off",
        "PATH": os.environ["PATH"],
    }
    for day in CHATFUEL_DAYS:
        for environ in (prod_env, local_env):
            result = _run_chatfuel(environ, day)
            failed = [c.check_name for c in result.get_asset_check_evaluations() if not c.passed]
            assert result.success and failed == [], (day, environ["LEANETL_HOME"], failed)
    prod = Warehouse(
        backend="bigquery", bq_project="test", bq_emulator_host=servers[bq.EMULATOR_HOST],
        dataset_suffix=f"_t{tag}",
    )  # fmt: skip
    local = Warehouse(backend="duckdb", duckdb_path=str(tmp_path / "local" / "warehouse.duckdb"))
    counts = {}
    for table in CHATFUEL_TABLES:
        rows = _table(prod, table)
        assert rows == _table(local, table), table
        counts[table] = len(rows)
    assert counts["users"] == 5_000 and counts["attribute_events"] > 100_000
    # File by file: the broadcasts' message documents (GCS and disk), and the dashboard pages.
    prod_files, local_files = _chatfuel_files(prod_env), _chatfuel_files(local_env)
    assert prod_files == local_files and len(prod_files) > 100
    # A re-run of the second day in prod replaces it: the same rows, none twice.
    assert _run_chatfuel(prod_env, CHATFUEL_DAYS[1]).success
    assert {t: len(_table(prod, t)) for t in CHATFUEL_TABLES} == counts


# --- Web events: raw objects in S3 (moto), the sensor's two ticks, the transform into the GCS
# lake, Glue tables (moto) in prod; the same objects from a folder, a lake on disk and DuckDB
# views locally.
def _web_events_run(settings: Settings, days: list[dt.date]) -> ObjectStore:
    """Sample objects for ``days`` in the raw store, the sensor ticked twice (the second finds
    nothing new), each requested day transformed; the web events lake."""
    raw = ObjectStore(url=settings.web_events.raw_url, s3_endpoint_url=settings.s3_endpoint_url)
    ensure_sample_objects(raw, days)
    defs, instance = build_defs(settings), dg.DagsterInstance.ephemeral()
    sensor = defs.resolve_sensor_def("web_events_new_objects")

    def tick(cursor: str | None) -> object:
        context = dg.build_sensor_context(
            cursor=cursor, instance=instance, resources={"web_raw": raw}
        )
        return sensor(context)

    first = tick(None)
    assert [r.partition_key for r in first.run_requests] == [d.isoformat() for d in days]
    job = defs.resolve_job_def("web_events_transform")
    for request in first.run_requests:
        result = job.execute_in_process(
            partition_key=request.partition_key, run_config=request.run_config, instance=instance
        )
        assert result.success and all(c.passed for c in result.get_asset_check_evaluations())
    assert isinstance(tick(first.cursor), dg.SkipReason)
    return ObjectStore(url=settings.web_events.url, s3_endpoint_url=settings.s3_endpoint_url)


def _web_events_files(lake: ObjectStore) -> dict[str, object]:
    """Every transformed Parquet file's rows and every dead-letter file, by key."""
    found: dict[str, object] = {}
    for key in lake.list_keys("transformed/"):
        found[key] = read_parquet_bytes(lake.get_bytes(key)).to_json(orient="records")
    for key in lake.list_keys("errors/"):
        found[key] = lake.get_bytes(key)
    return found


def test_the_web_events_domain_runs_in_prod_as_it_does_locally(
    servers, tmp_path, monkeypatch, moto_endpoint
) -> None:
    tag = uuid.uuid4().hex[:6]
    monkeypatch.setenv("LEANETL_GLUE_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("LEANETL_WEB_EVENTS_GLUE_DATABASE", f"web_{tag}")
    monkeypatch.setenv("LEANETL_WEB_EVENTS_RAW_URL", f"s3://{servers['raw_bucket']}/{tag}/raw")
    monkeypatch.setenv("LEANETL_WEB_EVENTS_URL", f"gs://{servers['lake_bucket']}/{tag}/web-data")
    local = {
        "LEANETL_HOME": str(tmp_path / "local"),
        "LEANETL_ENV": "local",
        "LEANETL_SAMPLE_DATA": "off",
    }
    today = dt.datetime.now(dt.UTC).date()  # arrival days are UTC days
    days = [today - dt.timedelta(days=2), today - dt.timedelta(days=1)]
    prod_lake = _web_events_run(load_settings(), days)
    local_lake = _web_events_run(load_settings(local), days)
    prod_files = _web_events_files(prod_lake)
    assert prod_files == _web_events_files(local_lake) and len(prod_files) > 20
    glue = boto3.client("glue", endpoint_url=moto_endpoint, region_name="us-east-1")
    tables = {t["Name"] for t in glue.get_tables(DatabaseName=f"web_{tag}")["TableList"]}
    assert tables == {key.split("/")[1] for key in prod_files if key.startswith("transformed/")}
    # A day transformed again from scratch (reprocess) replaces its files in place.
    defs = build_defs(load_settings())
    config = {"ops": {"transform_web_events": {"config": {"reprocess": True}}}}
    again = defs.resolve_job_def("web_events_transform").execute_in_process(
        partition_key=days[1].isoformat(), run_config=config,
        instance=dg.DagsterInstance.ephemeral(),
    )  # fmt: skip
    assert again.success and _web_events_files(prod_lake) == prod_files


# --- Leads: the sheet through the fake Sheets API (OAuth included), companies from the sources
# folder, Spark's answers, Parquet in the GCS lake; locally the same with a lake on disk.
LEADS_DAYS = ["2025-03-13", "2025-03-14"]


def _leads_files(lake: ObjectStore, sources: str) -> dict[str, object]:
    """Every leads Parquet file's rows by key, where the sources folder is written as SRC."""
    escaped = sources.replace("/", "\\/")  # as to_json writes it
    return {
        key: read_parquet_bytes(lake.get_bytes(key))
        .to_json(orient="records")
        .replace(escaped, "SRC")
        for key in lake.list_keys("leads/")
    }


def _leads_runs(settings: Settings, days: list[str]) -> dict[str, object]:
    """Companies in the settings' sources, the daily job for ``days``; the lake's leads files."""
    sources = ObjectStore(url=settings.leads.source_url, s3_endpoint_url=settings.s3_endpoint_url)
    sources.put_bytes("companies.csv", generate_companies().to_csv(index=False).encode())
    job = build_defs(settings).resolve_job_def("leads_daily")
    for day in days:
        result = job.execute_in_process(partition_key=day, instance=dg.DagsterInstance.ephemeral())
        assert result.success and all(c.passed for c in result.get_asset_check_evaluations())
    lake = ObjectStore(url=settings.lake_url, s3_endpoint_url=settings.s3_endpoint_url)
    return _leads_files(lake, sources.uri("").rstrip("/"))


def test_the_leads_domain_runs_in_prod_as_it_does_locally(servers, tmp_path, monkeypatch) -> None:
    tag = uuid.uuid4().hex[:6]
    with FakeSheetsApi() as api:
        raw = generate_leads(3_000, dt.date(2024, 12, 1), dt.date(2025, 3, 20), seed=3)
        api.add_sheet("leads-key", "Leads", sheet_rows(raw))
        sheet = {
            "LEANETL_LEADS_SHEET_KEY": "leads-key",
            "LEANETL_LEADS_WORKSHEET": "Leads",
            "LEANETL_LEADS_SHEETS_CREDENTIALS": json.dumps(
                sheets_service_account(f"{api.url}/token")
            ),
            "LEANETL_SHEETS_API_URL": api.url,
        }
        for name, value in sheet.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("LEANETL_LAKE_URL", f"gs://{servers['lake_bucket']}/{tag}")
        local = {"LEANETL_HOME": str(tmp_path / "local"), "LEANETL_ENV": "local", **sheet}
        prod_files = _leads_runs(load_settings(), LEADS_DAYS)
        assert prod_files == _leads_runs(load_settings(local), LEADS_DAYS)
        assert len(prod_files) >= 2 * 9  # raw, clean, quarantines and answers, each day
        # A day run again replaces its files: the same rows, none twice.
        assert _leads_runs(load_settings(), LEADS_DAYS[1:]) == prod_files
