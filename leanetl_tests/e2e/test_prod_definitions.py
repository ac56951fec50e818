"""The prod and branch Definitions with every real resource pointed at local servers that speak
the real wire format: BigQuery (bqemulator), GCS (fake-gcs-server), S3 (moto), Sheets and its OAuth
token endpoint, the Graph API, Chatfuel, SMTP. The volunteers domain then runs end to end in prod:
VAN's table read in place from BigQuery, dbt on BigQuery, the dashboard in the GCS lake."""

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import boto3
import dagster as dg
import pandas as pd
import pymongo
import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from leanetl.clients import bigquery as bq
from leanetl.definitions import build_defs
from leanetl.io_managers.mongo import MongoStore
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.warehouse import Warehouse
from leanetl.lib.parquet import read_parquet_bytes
from leanetl.lib.volunteers.signups import load_signup_files
from leanetl.sample.campaigns import seed_sample
from leanetl.sample.leads import generate_companies, generate_leads
from leanetl.sample.volunteers import write_sample_file
from leanetl.sample.web_events import ensure_sample_objects
from leanetl.settings import Settings, load_settings
from leanetl_tests.e2e.test_campaigns_graph import Insights
from leanetl_tests.e2e.test_leads_graph import sheet_rows
from leanetl_tests.fakes.chatfuel_api import TOKEN as CHATFUEL_TOKEN
from leanetl_tests.fakes.chatfuel_api import fake_chatfuel
from leanetl_tests.fakes.google_auth import service_account_info, token_endpoint
from leanetl_tests.fakes.graph_api import FakeGraphApi
from leanetl_tests.fakes.http import FakeServer
from leanetl_tests.fakes.mongo_wire import MongoWireServer
from leanetl_tests.fakes.processes import free_port, serving
from leanetl_tests.fakes.sheets_api import FakeSheetsApi
from leanetl_tests.fakes.sheets_api import service_account_info as sheets_service_account
from leanetl_tests.fakes.smtp import smtp_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def servers(
    bigquery_emulator: str, fake_gcs_endpoint: str, moto_endpoint: str, tmp_path_factory
) -> Iterator[dict[str, str]]:
    """Every production endpoint on loopback, and the environment that points leanetl at them."""
    tag = uuid.uuid4().hex[:8]
    home = tmp_path_factory.mktemp("prod")
    with FakeServer(token_endpoint) as oauth, smtp_server() as inbox, MongoWireServer() as mongo:
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
            "LEANETL_MONGO_URI": mongo.uri,
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
        yield {**env, "inbox": inbox, "mongo": mongo, "lake_bucket": gcs, "raw_bucket": s3}  # type: ignore[misc]
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
        for name in ("lake", "web_raw", "warehouse", "mailer", "mongo")
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
    with live["mongo"].session("volunteers") as database:  # pymongo over the wire protocol
        database["probe"].insert_one({"_id": env})
    prefix = "pr7_" if env == "branch" else ""
    assert servers["mongo"].client[f"{prefix}volunteers"]["probe"].find_one({"_id": env})
    live["mailer"].send(f"leanetl {env}: test alert", "body")
    assert servers["inbox"].messages[-1]["Subject"] == f"leanetl {env}: test alert"
    assert resources["sheets"].api_url == servers["LEANETL_SHEETS_API_URL"]
    assert resources["facebook"].graph_url == servers["LEANETL_FB_GRAPH_URL"]
    assert not resources["facebook"].sample and not resources["chatfuel"].sample
    assert resources["dbt"].target == "bigquery"
    # The key arrives as JSON text: resources get it as an EnvVar, resolved only at run time.
    assert isinstance(resources["warehouse"].google_key_json, dg.EnvVar)
    assert "PRIVATE KEY" not in repr(resources)


# --- Volunteers: VAN's table read in place from BigQuery and dbt on the emulator in prod; the
# same rows as a CSV in the sources folder, DuckDB and a lake on disk locally.
VOLUNTEERS_TABLES = [
    "int_volunteers__signup_last_status", "int_volunteers__weekly_signup_counts",
    "flake_rate_weekly", "flake_rate_weekly_by_organizer", "flake_rate_outlook",
]  # fmt: skip


def _load_van_table(servers: dict, rows: pd.DataFrame) -> None:
    """``rows`` as VAN's sync table in BigQuery, where prod reads it in place."""
    _, dataset, table = servers["LEANETL_VAN_SIGNUPS_TABLE"].split(".")
    van = Warehouse(
        backend="bigquery", bq_project="test", bq_emulator_host=servers[bq.EMULATOR_HOST]
    )
    van.replace_table(dataset, table, rows)


def _runs(settings: Settings, job_name: str, days: list[str]) -> None:
    """The job for each day, one run per day, as the schedule launches it: every check passes."""
    job = build_defs(settings).resolve_job_def(job_name)
    for day in days:
        result = job.execute_in_process(
            partition_key=day, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
        )
        failed = [c.check_name for c in result.get_asset_check_evaluations() if not c.passed]
        assert result.success and failed == [], (job_name, day, settings.env, failed)


def _same(prod: dict[str, object], local: dict[str, object]) -> None:
    """``prod == local``, or an error naming the first table or file that differs and where."""
    assert sorted(prod) == sorted(local), set(prod) ^ set(local)
    for key in sorted(prod, key=lambda k: k.startswith("dashboards/")):  # tables first
        mine, theirs = prod[key], local[key]
        if mine != theirs and isinstance(mine, list) and isinstance(theirs, list):
            rows = [
                (i, a, b) for i, (a, b) in enumerate(zip(mine, theirs, strict=False)) if a != b
            ][:1]
            raise AssertionError(
                f"{key}: {len(mine)} vs {len(theirs)} rows; first differing {rows}"
            )
        if mine != theirs:
            at = next(
                (i for i, (a, b) in enumerate(zip(str(mine), str(theirs), strict=False)) if a != b),
                0,
            )
            part = slice(max(at - 150, 0), at + 150)
            raise AssertionError(f"{key} at {at}: {str(mine)[part]!r} vs {str(theirs)[part]!r}")


def _warehouse(settings: Settings) -> Warehouse:
    """The environment's warehouse, its EnvVars resolved as a run resolves them."""
    return build_defs(settings).resources["warehouse"].process_config_and_initialize()


def _volunteers_runs(settings: Settings, days: list[str]) -> dict[str, object]:
    """The daily job for ``days``; the models' rows and the dashboard pages' bytes."""
    _runs(settings, "volunteers_daily", days)
    warehouse = _warehouse(settings)
    found: dict[str, object] = {t: _table(warehouse, "volunteers", t) for t in VOLUNTEERS_TABLES}
    lake = ObjectStore(url=settings.lake_url, s3_endpoint_url=settings.s3_endpoint_url)
    for key in lake.list_keys("dashboards/volunteers/"):
        found[key] = lake.get_bytes(key)
    return found


def test_the_volunteers_domain_runs_in_prod_as_it_does_locally(
    servers, tmp_path, monkeypatch
) -> None:
    tag = uuid.uuid4().hex[:6]
    monkeypatch.setenv("LEANETL_DATASET_SUFFIX", f"_t{tag}")  # this test's datasets
    monkeypatch.setenv("LEANETL_LAKE_URL", f"gs://{servers['lake_bucket']}/{tag}")
    local = load_settings(
        {
            "LEANETL_HOME": str(tmp_path / "local"), "LEANETL_ENV": "local",
            "LEANETL_TIMEZONE": "America/Chicago", "LEANETL_SAMPLE_DATA": "off",
            "PATH": os.environ["PATH"],
        }
    )  # fmt: skip
    today = local.today()
    sample = write_sample_file(local.sources_dir / "volunteers", today, "America/Chicago")
    _load_van_table(servers, load_signup_files([sample]).rows)
    days = [(today - dt.timedelta(days=n)).isoformat() for n in (2, 1)]
    prod = _volunteers_runs(load_settings(), days)
    _same(prod, _volunteers_runs(local, days))
    weekly = prod["flake_rate_weekly"]
    assert {row[0] for row in weekly} == set(days) and len(weekly) >= 2 * 8  # as_of_date first
    pages = [k for k in prod if k.endswith("index.html")]
    assert len(pages) == 2 and b"Volunteer flake rate" in prod[pages[0]]  # type: ignore[operator]
    # A day run again replaces it: the same rows, none twice.
    assert _volunteers_runs(load_settings(), days[1:]) == prod


# --- Chatfuel: the daily job in prod (BigQuery emulator, GCS lake, Chatfuel's API fake) and
# locally (DuckDB, a lake on disk), the same two pull days, then an earlier day backfilled after
# them, table by table.
CHATFUEL_DAYS = [dt.date(2026, 11, 9), dt.date(2026, 11, 10)]
CHATFUEL_BACKFILL = dt.date(2026, 11, 8)
CHATFUEL_TABLES = [
    "users", "attribute_events", "contacts_quarantine", "broadcasts", "user_filters",
    "broadcast_recipients", "segments", "int_chatfuel__users_history",
    "int_chatfuel__attribute_history", "int_chatfuel__broadcasts_history",
    "int_chatfuel__segments_history", "int_chatfuel__user_filters_history",
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


def _run_chatfuel(environ: dict[str, str], day: dt.date) -> None:
    """The daily job for ``day`` against a fake Chatfuel serving that day's bot."""
    with fake_chatfuel(day, throttle_at=set(), transient_at=set()) as fake:
        settings = load_settings({**environ, **_chatfuel_env(fake.url)})
        _runs(settings, "chatfuel_daily", [day.isoformat()])


def _table(warehouse: Warehouse, domain: str, table: str) -> list[tuple]:
    """The table's rows as comparable text (columns by name), run times aside, sorted."""
    frame = warehouse.query(f"select * from {warehouse.table_ref(domain, table)}")
    frame = frame.drop(columns=[c for c in frame.columns if c in RUN_TIMES])
    frame = frame.reindex(sorted(frame.columns), axis=1)

    def text(value: object) -> str | None:
        if value is None or (not isinstance(value, list | dict) and pd.isna(value)):
            return None
        if isinstance(value, pd.Timestamp | dt.datetime):
            # An instant: BigQuery's TIMESTAMP comes back tz-aware, DuckDB's as naive UTC (the
            # warehouse's convention). A DATE comes back from DuckDB as a midnight Timestamp.
            stamp = pd.Timestamp(value)
            stamp = stamp.tz_convert("UTC") if stamp.tz else stamp.tz_localize("UTC")
            return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))  # an integer column with nulls: a float in one frame
        return str(value)

    return sorted((tuple(text(v) for v in row) for row in frame.itertuples(index=False)), key=str)


def _chatfuel_files(environ: dict[str, str]) -> dict[str, object]:
    """Each day's message documents (run time aside) and the dashboard pages' bytes."""
    settings = load_settings({**environ, **_chatfuel_env("http://unused")})
    entries = ObjectStore(url=settings.chatfuel.entries_url)
    lake = ObjectStore(url=settings.lake_url)
    found: dict[str, object] = {}
    for day in [*CHATFUEL_DAYS, CHATFUEL_BACKFILL]:
        for key in entries.list_keys(f"dt={day}/"):
            document = json.loads(entries.get_bytes(key))
            found[key] = {k: v for k, v in document.items() if k not in RUN_TIMES}
    for key in lake.list_keys("dashboards/chatfuel/"):
        found[key] = lake.get_bytes(key)
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
            _run_chatfuel(environ, day)
    prod = Warehouse(
        backend="bigquery", bq_project="test", bq_emulator_host=servers[bq.EMULATOR_HOST],
        dataset_suffix=f"_t{tag}",
    )  # fmt: skip
    local = Warehouse(backend="duckdb", duckdb_path=str(tmp_path / "local" / "warehouse.duckdb"))
    counts = {t: len(_table(prod, "chatfuel", t)) for t in CHATFUEL_TABLES}
    assert counts["users"] == 5_000 and counts["attribute_events"] > 100_000
    # A re-run of the second day in prod replaces it: the same rows, none twice.
    _run_chatfuel(prod_env, CHATFUEL_DAYS[1])
    assert {t: len(_table(prod, "chatfuel", t)) for t in CHATFUEL_TABLES} == counts
    # An earlier pull day backfilled after the later ones, in both.
    for environ in (prod_env, local_env):
        _run_chatfuel(environ, CHATFUEL_BACKFILL)
    for table in CHATFUEL_TABLES:
        assert _table(prod, "chatfuel", table) == _table(local, "chatfuel", table), table
    # File by file: the broadcasts' message documents (GCS and disk), and the dashboard pages.
    prod_files, local_files = _chatfuel_files(prod_env), _chatfuel_files(local_env)
    assert prod_files == local_files and len(prod_files) > 100
    # The backfill re-derived the later days' history: re-running the last day changes none of it.
    history = [t for t in CHATFUEL_TABLES if t.startswith("int_")]
    derived = {t: _table(prod, "chatfuel", t) for t in history}
    _run_chatfuel(prod_env, CHATFUEL_DAYS[-1])
    assert {t: _table(prod, "chatfuel", t) for t in history} == derived


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


# The leads' daily job in a process of its own: PySpark refuses a Spark Connect session beside
# the classic one this process already has.
LEADS_IN_A_PROCESS = """
import sys
import dagster as dg
from leanetl.definitions import build_defs
from leanetl.settings import load_settings
job = build_defs(load_settings()).resolve_job_def("leads_daily")
for day in sys.argv[1:]:
    result = job.execute_in_process(partition_key=day, instance=dg.DagsterInstance.ephemeral())
    assert result.success and all(c.passed for c in result.get_asset_check_evaluations())
"""


def _leads_runs(
    settings: Settings, days: list[str], environ: dict[str, str] | None = None
) -> dict[str, object]:
    """Companies in the settings' sources, the daily job for ``days`` (in a process of its own
    with ``environ``); the lake's leads files."""
    sources = ObjectStore(url=settings.leads.source_url, s3_endpoint_url=settings.s3_endpoint_url)
    sources.put_bytes("companies.csv", generate_companies().to_csv(index=False).encode())
    if environ is None:
        _runs(settings, "leads_daily", days)
    else:
        command = [sys.executable, "-c", LEADS_IN_A_PROCESS, *days]
        done = subprocess.run(command, env=environ, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr[-3000:]
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
        # Through Spark Connect (LEANETL_SPARK_MASTER=sc://…), which reads the lake in place. A
        # gs:// lake needs the GCS connector in the server (a jar from Maven, unreachable here):
        # this lake is a directory the server shares, as on a single-host agent.
        port = free_port()
        token = {"SPARK_CONNECT_AUTHENTICATE_TOKEN": "connect-test-token"}
        connect = {
            **os.environ, **token, "LEANETL_SPARK_MASTER": f"sc://localhost:{port}",
            "LEANETL_LAKE_URL": str(tmp_path / "shared-lake"),
        }  # fmt: skip
        server = [sys.executable, "-m", "leanetl_tests.fakes.spark_connect_server", str(port)]
        with serving(server, port, tmp_path / "connect.log", env=token, timeout=180):
            assert _leads_runs(load_settings(connect), LEADS_DAYS, connect) == prod_files


# --- Campaigns: the team's campaigns in MongoDB (in prod the real pymongo client against the
# wire-protocol server, locally the embedded store), insights from the fake Graph API through the
# facebook-business SDK, Parquet, maps and the dashboard in the lake.
# When and by which run a document was written: differs between any two runs.
WRITE_TIMES = {"updated_at", "changed_at", "at", "batch", "_leanetl_batch"}


def _campaigns_env(graph_url: str) -> dict[str, str]:
    return {
        "LEANETL_FB_ACCESS_TOKEN": "test-token",
        "LEANETL_FB_GRAPH_URL": graph_url,
        "LEANETL_FB_POLL_SECONDS": "0.01",
        "LEANETL_FB_BACKOFF_SECONDS": "0.01",
        "LEANETL_CAMPAIGN_MAPS_PUBLIC_URL": "https://maps.example.org/campaigns",
    }


def _plain(value: object) -> object:
    """A stored value as comparable text: datetimes in UTC (pymongo's tz-aware, the embedded
    store's naive UTC), ObjectIds (ids of the quarantine's documents) as one placeholder."""
    if isinstance(value, dt.datetime):
        return (
            value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
        ).isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in WRITE_TIMES}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return "<id>" if type(value).__name__ == "ObjectId" else value


def _mongo_documents(database: object) -> dict[str, list]:
    """Every collection leanetl writes in the domain's database, its documents sorted."""
    return {
        name: sorted((_plain(d) for d in database[name].find({})), key=str)
        for name in sorted(database.list_collection_names())
        if name not in ("campaigns", "contributions")  # the team's, only read
    }


def _campaigns_runs(settings: Settings, days: list[dt.date]) -> dict[str, object]:
    """The refresh job for ``days``; its Parquet rows, maps, dashboards and Mongo documents."""
    _runs(settings, "campaigns_refresh", [day.isoformat() for day in days])
    found: dict[str, object] = {}
    lake = ObjectStore(url=settings.lake_url, s3_endpoint_url=settings.s3_endpoint_url)
    for key in lake.list_keys(""):
        data = lake.get_bytes(key)
        found[key] = (
            read_parquet_bytes(data).to_json(orient="records")
            if key.endswith(".parquet")
            else len(data) > 0
        )
    mongo = build_defs(settings).resources["mongo"].process_config_and_initialize()
    with mongo.session("campaigns") as database:
        found["mongo"] = _mongo_documents(database)
    return found


def test_the_campaigns_domain_runs_in_prod_as_it_does_locally(
    servers, tmp_path, monkeypatch
) -> None:
    tag = uuid.uuid4().hex[:6]
    today = load_settings().today()
    days = [today - dt.timedelta(days=2), today - dt.timedelta(days=1)]
    with FakeGraphApi(Insights(today), page_size=200, polls_to_finish=2) as graph:
        for name, value in _campaigns_env(graph.url).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("LEANETL_LAKE_URL", f"gs://{servers['lake_bucket']}/{tag}")
        local = {
            "LEANETL_HOME": str(tmp_path / "local"), "LEANETL_ENV": "local",
            "LEANETL_SAMPLE_DATA": "off", "PATH": os.environ["PATH"], **_campaigns_env(graph.url),
        }  # fmt: skip
        # The team's campaigns and contributions, the same in both stores.
        seed_sample(pymongo.MongoClient(servers["LEANETL_MONGO_URI"])["campaigns"], today)
        with MongoStore(embedded_dir=str(load_settings(local).mongo_dir)).session(
            "campaigns"
        ) as db:
            seed_sample(db, today)
        prod = _campaigns_runs(load_settings(), days)
        assert prod == _campaigns_runs(load_settings(local), days)
        mongo = prod["mongo"]
        assert len(mongo["expenditures"]) > 100 and len(mongo["canvases"]) > 10, {
            k: len(v) for k, v in mongo.items()
        }
        assert servers["mongo"].commands.get("update", 0) > 0  # written through the wire
        # A day run again: the same documents and files, none twice; only its plan (the record
        # of what that run did) now says every campaign was unchanged, so nothing was written.
        again = _campaigns_runs(load_settings(), days[1:])
        plan = f"campaigns/insights_changes/dt={days[1]}/data.parquet"
        assert {row["action"] for row in json.loads(str(again.pop(plan)))} == {"unchanged"}
        assert again == {k: v for k, v in prod.items() if k != plan}


# --- A branch deployment beside prod: the same jobs, for the same day, with the PR's environment
# (LEANETL_ENV=branch, DAGSTER_CLOUD_PULL_REQUEST_ID=7) after prod's. Everything outside the
# branch's namespace stays as prod left it, object by object and row by row.
BRANCH = "pr7"


def _bigquery_state(servers: dict) -> dict[str, object]:
    """Per table of the emulator's project: its size, last change and columns; the rows too
    for prod's own datasets of the two warehouse domains (the other tests' are large)."""
    client = Warehouse(
        backend="bigquery", bq_project="test", bq_emulator_host=servers[bq.EMULATOR_HOST]
    )._bq_client()
    found: dict[str, object] = {}
    for dataset in client.list_datasets():
        for item in client.list_tables(dataset.dataset_id):
            table = client.get_table(item)
            name = f"{dataset.dataset_id}.{item.table_id}"
            found[name] = (
                table.num_rows,
                table.modified,
                table.etag,
                [f.name for f in table.schema],
            )
            if dataset.dataset_id in ("volunteers", "chatfuel"):
                rows = client.query(f"select * from `test.{name}`").result()
                found[f"{name} rows"] = sorted(str(tuple(r.values())) for r in rows)
    return found


def _stores_state(servers: dict, moto_endpoint: str) -> dict[str, object]:
    """Every object of the GCS lake bucket and the S3 raw bucket (with its generation / ETag),
    every Mongo document, every Glue table."""
    found: dict[str, object] = {}
    gcs = storage.Client(project="test", credentials=AnonymousCredentials())
    for blob in gcs.list_blobs(servers["lake_bucket"]):
        found[f"gs:{blob.name}"] = (blob.md5_hash, blob.generation)
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=servers["raw_bucket"]):
        for item in page.get("Contents", []):
            found[f"s3:{item['Key']}"] = (item["ETag"], item["LastModified"])
    mongo = servers["mongo"].client
    for database in mongo.list_database_names():
        for name in mongo[database].list_collection_names():
            documents = mongo[database][name].find({})
            found[f"mongo:{database}.{name}"] = sorted(str(d) for d in documents)
    glue = boto3.client("glue", endpoint_url=moto_endpoint, region_name="us-east-1")
    for database in glue.get_databases()["DatabaseList"]:
        for table in glue.get_tables(DatabaseName=database["Name"])["TableList"]:
            found[f"glue:{database['Name']}.{table['Name']}"] = str(table)
    return found


def _in_branch_namespace(name: str) -> bool:
    """Whether a state key is one a branch may create: a ``_pr7`` dataset or Glue database, a
    ``pr7_`` Mongo database, a lake object under ``…/branches/pr7/``."""
    kind, _, rest = name.partition(":")
    if kind == "gs":
        return f"/branches/{BRANCH}/" in rest
    if kind == "mongo":
        return rest.startswith(f"{BRANCH}_")
    if kind == "glue":
        return rest.split(".")[0].endswith(f"_{BRANCH}")
    return rest.split(".")[0].endswith(f"_{BRANCH}") if kind == "bq" else False


def _all_domains(settings: Settings, day: dt.date, utc_day: dt.date) -> None:
    """One day of every domain's job, as its schedule or sensor launches it."""
    for job in ("volunteers_daily", "leads_daily", "campaigns_refresh"):
        _runs(settings, job, [day.isoformat()])
    _run_chatfuel(dict(os.environ), day)
    _web_events_run(settings, [utc_day])


def test_a_branch_deployment_beside_prod_writes_only_into_its_namespace(
    servers, tmp_path, monkeypatch, moto_endpoint
) -> None:
    tag = uuid.uuid4().hex[:6]
    monkeypatch.setenv("LEANETL_LAKE_URL", f"gs://{servers['lake_bucket']}/{tag}")
    monkeypatch.setenv("LEANETL_WEB_EVENTS_RAW_URL", f"s3://{servers['raw_bucket']}/{tag}/raw")
    monkeypatch.setenv("LEANETL_GLUE_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("LEANETL_WEB_EVENTS_GLUE_DATABASE", f"web_{tag}")
    monkeypatch.setenv("LEANETL_CHATFUEL_TOKEN", CHATFUEL_TOKEN)
    monkeypatch.setenv("DAGSTER_CLOUD_PULL_REQUEST_ID", BRANCH.removeprefix("pr"))
    prod = load_settings()
    day, utc_day = prod.today() - dt.timedelta(days=1), dt.datetime.now(dt.UTC).date()
    # The team's sources, read by prod and the branch alike.
    sample = write_sample_file(tmp_path / "van", prod.today(), "America/Chicago")
    _load_van_table(servers, load_signup_files([sample]).rows)
    sources = ObjectStore(url=prod.leads.source_url)
    sources.put_bytes("companies.csv", generate_companies().to_csv(index=False).encode())
    seed_sample(pymongo.MongoClient(servers["LEANETL_MONGO_URI"])["campaigns"], prod.today())
    with FakeSheetsApi() as sheets, FakeGraphApi(Insights(prod.today()), page_size=200) as graph:
        raw = generate_leads(1_000, day - dt.timedelta(days=90), day, seed=5)
        sheets.add_sheet("leads-key", "Leads", sheet_rows(raw))
        for name, value in {
            **_campaigns_env(graph.url),
            "LEANETL_LEADS_SHEET_KEY": "leads-key",
            "LEANETL_LEADS_WORKSHEET": "Leads",
            "LEANETL_LEADS_SHEETS_CREDENTIALS": json.dumps(
                sheets_service_account(f"{sheets.url}/token")
            ),
            "LEANETL_SHEETS_API_URL": sheets.url,
        }.items():
            monkeypatch.setenv(name, value)
        _all_domains(load_settings(), day, utc_day - dt.timedelta(days=1))
        before = {**_stores_state(servers, moto_endpoint), **{
            f"bq:{k}": v for k, v in _bigquery_state(servers).items()
        }}  # fmt: skip
        monkeypatch.setenv("LEANETL_ENV", "branch")
        branch = load_settings()
        assert (branch.dataset_suffix, branch.mongo_db_prefix) == (f"_{BRANCH}", f"{BRANCH}_")
        _all_domains(branch, day, utc_day - dt.timedelta(days=1))
    after = {**_stores_state(servers, moto_endpoint), **{
        f"bq:{k}": v for k, v in _bigquery_state(servers).items()
    }}  # fmt: skip
    changed = sorted(k for k in before if after.get(k) != before[k])
    assert changed == [], changed[:10]  # prod's tables, objects, documents: as they were
    created = set(after) - set(before)
    assert [k for k in created if not _in_branch_namespace(k)] == []
    # ... and the branch wrote each domain's outputs there.
    for where in (
        f"bq:volunteers_{BRANCH}.flake_rate_weekly", f"bq:chatfuel_{BRANCH}.users_daily",
        f"mongo:{BRANCH}_campaigns.expenditures", f"glue:web_{tag}_{BRANCH}.",
        f"gs:{tag}/branches/{BRANCH}/leads/", f"gs:{tag}/web-data/branches/{BRANCH}/transformed/",
        f"gs:{tag}/campaign-maps/branches/{BRANCH}/",
    ):  # fmt: skip
        assert any(k.startswith(where) for k in created), where
