"""The prod and branch Definitions with every real resource pointed at local servers that speak
the real wire format: BigQuery (bqemulator), GCS (fake-gcs-server), S3 (moto), Sheets and its OAuth
token endpoint, the Graph API, Chatfuel, SMTP. The volunteers domain then runs end to end in prod:
VAN's table read in place from BigQuery, dbt on BigQuery, the dashboard in the GCS lake."""

import json
import uuid
from collections.abc import Iterator

import boto3
import dagster as dg
import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from leanetl.clients import bigquery as bq
from leanetl.definitions import build_defs
from leanetl.io_managers.warehouse import Warehouse
from leanetl.settings import load_settings
from leanetl_tests.fakes.google_auth import service_account_info, token_endpoint
from leanetl_tests.fakes.http import FakeServer
from leanetl_tests.fakes.processes import free_port
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
