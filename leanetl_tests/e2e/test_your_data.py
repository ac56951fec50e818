"""The user's data is sacred: runs read the user's sources and never write into them, sample
data appears only when asked for, a step's slices are all written or none, each day of a range
keeps its own figures, and a branch deployment writes only into its own namespace."""

import datetime as dt
import json
import subprocess
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from leanetl.definitions import build_defs
from leanetl.resources import build_resources
from leanetl.sample import prepare as sample_prepare
from leanetl.settings import load_settings
from leanetl_tests.conftest import BIN, REPO

HEADER = "chatfuel user id,first name,last name,signed up,last seen,status,topic\n"
USERS = [dg.AssetKey(["chatfuel", "users"])]
CONTACTS = [
    dg.AssetKey(["chatfuel", n]) for n in ("users", "attribute_events", "contacts_quarantine")
]


def export(ids: list[int], repeat: bool = False) -> bytes:
    rows = [f"{i},U{i},,2025-01-02T03:04:05Z,,reachable,t{i}\n" for i in ids]
    if repeat:
        rows.append(f"{ids[0]},Again,,,,reachable,x\n")  # a repeated id: quarantined
    return (HEADER + "".join(rows)).encode()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def chatfuel(leanetl_home: Path):
    settings = load_settings()
    defs = build_defs(settings)
    instance = dg.DagsterInstance.ephemeral()
    source = Path(settings.chatfuel.source_url)
    source.mkdir(parents=True)

    def run(days: list[str], keys=CONTACTS) -> dg.ExecuteInProcessResult:
        tags = {}
        if len(days) > 1:
            tags = {
                "dagster/asset_partition_range_start": days[0],
                "dagster/asset_partition_range_end": days[-1],
            }
        return defs.resolve_job_def("chatfuel_daily").execute_in_process(
            partition_key=days[0] if len(days) == 1 else None,
            instance=instance,
            raise_on_error=False,
            asset_selection=keys,
            tags=tags,
        )

    def sql(query: str) -> list[tuple]:
        with duckdb.connect(str(settings.duckdb_path), read_only=True) as conn:
            return conn.execute(query).fetchall()

    return settings, source, instance, run, sql


def test_an_undated_export_is_read_as_given_and_nothing_is_written_into_the_source(chatfuel):
    settings, source, _, run, sql = chatfuel
    (source / "users_export.csv").write_bytes(export([1, 2, 3]))
    before = snapshot(source)
    for day in ("2025-03-13", "2025-03-14"):
        assert run([day]).success
    assert snapshot(source) == before  # byte for byte, no sample beside it
    assert sql("select dt, count(*) from chatfuel.users group by 1 order by 1") == [
        (dt.date(2025, 3, 13), 3),
        (dt.date(2025, 3, 14), 3),
    ]
    assert not (settings.home / "sample-data.json").exists()


def test_a_day_without_a_source_fails_naming_where_what_and_the_sample_command(chatfuel):
    _, source, _, run, _ = chatfuel
    result = run(["2025-03-14"])
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.step_failure_data.user_failure_data.description
    assert str(source) in message and "users_export*.csv" in message and "make sample" in message
    assert list(source.iterdir()) == []


def test_a_clean_day_then_a_quarantined_row_succeeds(chatfuel):
    _, source, _, run, sql = chatfuel
    (source / "users_export-2025-03-13.csv").write_bytes(export([1, 2]))
    (source / "users_export-2025-03-14.csv").write_bytes(export([1, 2], repeat=True))
    types = "select column_name, data_type from information_schema.columns where table_name = "
    assert run(["2025-03-13"]).success  # nothing quarantined: the empty slice is typed
    for table in ("'contacts_quarantine'", "'users'"):
        assert dict(sql(types + table))["dt"] == "DATE"
        assert '"NULL"' not in dict(sql(types + table)).values()
    assert run(["2025-03-14"]).success
    assert sql("select dt, count(*) from chatfuel.contacts_quarantine group by 1") == [
        (dt.date(2025, 3, 14), 1)
    ]


def test_a_table_an_older_leanetl_made_with_a_null_column_takes_the_rows_type(chatfuel):
    settings, source, _, run, sql = chatfuel
    with duckdb.connect(str(settings.duckdb_path)) as conn:
        conn.execute("create schema chatfuel")
        conn.execute(
            "create table chatfuel.contacts_quarantine as select 'a' as source, 'b' as locator, "
            "'c' as reason, 'd' as raw, null as dt limit 0"
        )
    (source / "users_export.csv").write_bytes(export([1, 2], repeat=True))
    assert run(["2025-03-14"]).success
    assert sql("select dt from chatfuel.contacts_quarantine") == [(dt.date(2025, 3, 14),)]


def test_a_failing_last_slice_leaves_the_day_as_it_was_and_is_not_retried(chatfuel):
    _, source, _, run, sql = chatfuel
    (source / "users_export.csv").write_bytes(export([1, 2]))
    assert run(["2025-03-14"]).success
    before = sql("select user_id, pulled_at from chatfuel.users order by 1")
    events = sql("select count(*), max(pulled_at) from chatfuel.attribute_events")
    # The quarantine table (the step's last slice) now refuses text in its locator.
    with duckdb.connect(str(load_settings().duckdb_path)) as conn:
        conn.execute("drop table chatfuel.contacts_quarantine")
        conn.execute(
            "create table chatfuel.contacts_quarantine (source varchar, locator integer, "
            "reason varchar, raw varchar, dt date)"
        )
    (source / "users_export.csv").write_bytes(export([1, 2, 3, 4], repeat=True))
    result = run(["2025-03-14"])
    assert not result.success
    assert sql("select user_id, pulled_at from chatfuel.users order by 1") == before
    assert sql("select count(*), max(pulled_at) from chatfuel.attribute_events") == events
    retries = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert retries == []


def _source_rows(instance: dg.DagsterInstance, day: str) -> int:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=USERS[0], asset_partitions=[day]), limit=1
    ).records
    return int(records[0].asset_materialization.metadata["source_rows"].value)


def test_each_day_of_a_range_keeps_its_own_figures_and_rebuilds_alone(chatfuel):
    _, source, instance, run, _ = chatfuel
    days = ["2025-03-12", "2025-03-13", "2025-03-14"]
    for day, count in zip(days, (20, 100, 400), strict=True):  # a growing subscriber list
        (source / f"users_export-{day}.csv").write_bytes(export(list(range(1, count + 1))))
    assert run(days).success
    assert [_source_rows(instance, d) for d in days] == [20, 100, 400]
    for day in days[:2]:  # compared with the nearest earlier day's own figure
        assert run([day]).success, day
    assert _source_rows(instance, days[1]) == 100


def _files_of_user(settings) -> dict[str, Path]:
    return {
        "volunteers": settings.sources_dir / "volunteers",
        "leads": Path(settings.leads.source_url),
        "web_events": Path(settings.web_events.raw_url),
        "chatfuel": Path(settings.chatfuel.source_url),
    }


def test_prepare_writes_only_into_empty_sources_and_marks_the_home(leanetl_home: Path):
    settings = load_settings()
    folders = _files_of_user(settings)
    folders["chatfuel"].mkdir(parents=True)
    (folders["chatfuel"] / "users_export.csv").write_bytes(export([1]))
    own = snapshot(folders["chatfuel"])
    day = dt.date(2025, 3, 14)
    written = sample_prepare.prepare(settings, [day], today=day)
    assert written["chatfuel"] == 0 and snapshot(folders["chatfuel"]) == own
    assert written["web_events"] > 0 and written["volunteers"] == 1 and written["campaigns"] == 1
    assert load_settings().sample_data  # the home asked for the sample
    assert not load_settings({**_env(leanetl_home), "LEANETL_SAMPLE_DATA": "off"}).sample_data


def _env(home: Path) -> dict[str, str]:
    return {"LEANETL_HOME": str(home), "LEANETL_TIMEZONE": "America/Chicago"}


def test_without_the_sample_asked_for_no_sample_api_answers(leanetl_home: Path):
    resources = build_resources(load_settings())
    assert resources["facebook"].sample is False and resources["chatfuel"].sample is False
    with pytest.raises(ValueError, match="local environment"):
        load_settings({"LEANETL_ENV": "prod", "LEANETL_SAMPLE_DATA": "on", **_prod()})


def _prod() -> dict[str, str]:
    return {"LEANETL_BQ_PROJECT": "p", "LEANETL_VAN_SIGNUPS_TABLE": "p.van.signups"}


def test_web_events_read_the_users_objects_and_fail_a_day_without_any(leanetl_home: Path):
    settings = load_settings()
    raw = Path(settings.web_events.raw_url)
    from leanetl.io_managers.object_store import ObjectStore
    from leanetl.sample.web_events import day_objects

    store = ObjectStore(url=str(raw))
    for key, data in day_objects(dt.date(2025, 3, 14), newest=False).items():
        store.put_bytes(key, data)
    before = snapshot(raw)
    job = build_defs(settings).resolve_job_def("web_events_transform")
    instance = dg.DagsterInstance.ephemeral()
    empty = job.execute_in_process(
        partition_key="2025-03-13", instance=instance, raise_on_error=False
    )
    assert not empty.success
    failure = next(e for e in empty.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.step_failure_data.user_failure_data.description
    assert "2025/03/13" in message and "make sample" in message
    assert job.execute_in_process(partition_key="2025-03-14", instance=instance).success
    assert snapshot(raw) == before


BRANCH = {
    "LEANETL_ENV": "branch",
    "DAGSTER_CLOUD_PULL_REQUEST_ID": "7",
    "LEANETL_LAKE_URL": "gs://team-lake/leanetl",
    "LEANETL_WEB_EVENTS_GLUE_DATABASE": "web_events",
    **_prod(),
}


def test_every_branch_write_is_in_the_branchs_namespace() -> None:
    prod = load_settings({**BRANCH, "LEANETL_ENV": "prod"})
    branch = load_settings(BRANCH)
    outputs = {
        "lake": (prod.lake_url, branch.lake_url),
        "web events (manifests, tables)": (prod.web_events.url, branch.web_events.url),
        "chatfuel messages": (prod.chatfuel.entries_url, branch.chatfuel.entries_url),
        "reach maps": (prod.campaigns.maps_url, branch.campaigns.maps_url),
    }
    for what, (prod_url, branch_url) in outputs.items():
        assert branch_url.startswith(prod_url + "/branches/pr7") or branch_url.startswith(
            "gs://team-lake/leanetl/branches/pr7"
        ), what
    assert branch.web_events.glue_database == "web_events_pr7"
    # Sources are read where prod reads them.
    assert branch.web_events.raw_url == prod.web_events.raw_url
    assert branch.chatfuel.source_url == prod.chatfuel.source_url
    resources = build_resources(branch)
    assert resources["warehouse"].schema("chatfuel") == "chatfuel_pr7"
    assert resources["mongo"].db_prefix == "pr7_"
    assert resources["glue"].database == "web_events_pr7"
    with pytest.raises(ValueError, match="namespace"):
        load_settings({k: v for k, v in BRANCH.items() if k != "DAGSTER_CLOUD_PULL_REQUEST_ID"})


def test_dbt_builds_every_model_and_source_of_a_branch_in_its_schemas(tmp_path: Path) -> None:
    out = subprocess.run(
        [str(BIN / "dbt"), "ls", "--project-dir", "dbt", "--profiles-dir", "dbt", "--quiet",
         "--resource-type", "model", "--resource-type", "source", "--output", "json",
         "--output-keys", "unique_id", "--output-keys", "schema", "--target-path",
         str(tmp_path / "target"), "--vars", json.dumps({"leanetl_dataset_suffix": "_pr7",
         "leanetl_home": str(tmp_path)})],
        cwd=REPO, capture_output=True, text=True, check=True,
        env={"PATH": str(BIN), "HOME": str(tmp_path)},
    )  # fmt: skip
    nodes = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    written = [n for n in nodes if n["unique_id"].startswith("model.")]
    assert written and all(n["schema"].endswith("_pr7") for n in written), nodes
    sources = [n for n in nodes if n["unique_id"].startswith("source.leanetl.chatfuel")]
    assert sources and all(n["schema"] == "chatfuel_pr7" for n in sources)


def test_the_redactor_masks_every_secret_setting_by_value(monkeypatch) -> None:
    from leanetl.lib.redact import redact
    from leanetl.settings_doc import secret_names

    for i, name in enumerate(secret_names()):
        monkeypatch.setenv(name, f"value-of-secret-{i:02d}-xyz")
    text = " ".join(f"value-of-secret-{i:02d}-xyz" for i in range(len(secret_names())))
    assert "value-of-secret" not in redact(text)
    assert {"GOOGLE_APPLICATION_CREDENTIALS", "AWS_ACCESS_KEY_ID"} <= set(secret_names())


SIGNUPS = (
    "event_signup_id,event_id,event_date,event_location_id,event_location_name,organizer,"
    "van_id,status,status_changed_at\n"
    "1,10,2025-03-15,101,North Office,Ana,5001,Scheduled,2025-03-01T10:00:00Z\n"
    "1,10,2025-03-15,101,North Office,Ana,5001,Completed,2025-03-15T20:00:00Z\n"
)
LEADS = "company,first_name,last_name,title,country,operator_timestamp\nAcme,Ann,Lee,CEO,US,2025-03-01 10:00\n"
COMPANIES = "company,hq_location\nAcme,US\n"


def test_van_and_leads_folders_hold_only_the_users_files_after_runs(leanetl_home: Path):
    settings = load_settings()
    van, leads = settings.sources_dir / "volunteers", Path(settings.leads.source_url)
    van.mkdir(parents=True)
    leads.mkdir(parents=True)
    (van / "event_signups_2025.csv").write_text(SIGNUPS)
    (leads / "leads_export.csv").write_text(LEADS)
    (leads / "companies.csv").write_text(COMPANIES)
    before = {"van": snapshot(van), "leads": snapshot(leads)}
    defs = build_defs(settings)
    loader = defs.resolve_assets_def(dg.AssetKey(["volunteers", "event_signups"]))
    sources = [
        defs.resolve_assets_def(dg.AssetKey(["leads", name]))
        for name in ("leads_raw", "companies_raw")
    ]
    assert dg.materialize([loader]).success  # resolved definitions carry their resources
    for day in ("2025-03-13", "2025-03-14"):
        assert dg.materialize(sources, partition_key=day).success
    assert {"van": snapshot(van), "leads": snapshot(leads)} == before
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as conn:
        rows = conn.execute("select distinct event_signup_id from volunteers.event_signups")
        assert rows.fetchall() == [(1,)]  # the user's rows only, no sample beside them
    lake = Path(settings.lake_url) / "leads"
    raw = sorted(p.relative_to(lake).as_posix() for p in lake.rglob("*.parquet"))
    assert len(raw) == 4  # two snapshots a day of the user's one export and one companies file


@pytest.mark.slow
def test_dbt_waits_while_another_run_holds_the_duckdb_file(chatfuel):
    import sys
    import time

    settings, source, instance, run, sql = chatfuel
    (source / "users_export.csv").write_bytes(export([1, 2, 3]))
    assert run(["2025-03-14"], keys=None).success  # the raw slices and a first build
    models = [
        spec.key
        for spec in build_defs(settings).resolve_all_asset_specs()
        if "dbt" in spec.kinds and spec.key.path[0] == "chatfuel"
    ]
    holder = subprocess.Popen(  # another local run: holds DuckDB's lock for 15 s
        [sys.executable, "-c", "import duckdb, sys, time\n"
         "c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(15)",
         str(settings.duckdb_path)],
        stdout=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        result = run(["2025-03-14"], keys=models)
    finally:
        holder.kill()
        holder.wait()
    assert result.success
    logs = [entry.user_message for entry in instance.all_logs(result.run_id)]
    assert any("held by another run" in message for message in logs)
    assert time.monotonic() - started >= 15
    assert sql("select count(*) from chatfuel.users_daily where as_of_date = '2025-03-14'")[0][0]
