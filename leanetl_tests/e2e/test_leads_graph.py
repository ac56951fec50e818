"""The whole leads graph: the real gspread client against the fake Sheets API, fallback to the
newest export, Spark answers, the dashboard, bad input, and the failure e-mail over SMTP."""

import datetime as dt
import json

import dagster as dg
import pandas as pd
import pytest

from leanetl.definitions import build_defs
from leanetl.io_managers.parquet import partition_object_key
from leanetl.lib.leads.answers import ANSWERS
from leanetl.lib.leads.dedupe import clean_leads
from leanetl.resources import build_resources
from leanetl.sample.leads import generate_companies, generate_leads
from leanetl.settings import load_settings
from leanetl_tests.fakes.sheets_api import FakeSheetsApi, service_account_info
from leanetl_tests.fakes.smtp import smtp_server

pytestmark = pytest.mark.slow
DAY = "2025-03-14"
SHEET = "leads-sheet-key"
HEADER = ["Company", "First Name", "Last Name", "Title", "Country", "Operator Timestamp"]


def sheet_rows(frame: pd.DataFrame) -> list[list[object]]:
    """Rows as the Sheets API returns them: trailing blanks dropped, serials as numbers."""
    rows: list[list[object]] = [HEADER]
    for record in frame.itertuples(index=False):
        cells = ["" if pd.isna(v) else v for v in record]
        stamp = cells[-1]
        if isinstance(stamp, str) and stamp.replace(".", "", 1).isdigit():
            cells[-1] = float(stamp)
        while cells and cells[-1] == "":
            cells.pop()
        rows.append(cells)
    return rows


ALLOW_TRUNCATED = {"ops": {"read_leads_sheet": {"config": {"allow_truncated": True}}}}


def run(env, day: str = DAY, run_config: dict | None = None) -> dg.ExecuteInProcessResult:
    defs = build_defs(load_settings())
    return defs.resolve_job_def("leads_daily").execute_in_process(
        partition_key=day, instance=env["instance"], raise_on_error=False, run_config=run_config
    )


def step_errors(result: dg.ExecuteInProcessResult) -> list[str]:
    return [e.step_failure_data.error.message for e in result.all_events if e.is_step_failure]


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def partition_rows(env, asset: str, day: str = DAY) -> int:
    path = env["home"] / "lake" / "leads" / asset / f"dt={day}" / "data.parquet"
    return len(pd.read_parquet(path))


def metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict[str, object]:
    for event in result.get_asset_materialization_events():
        if event.asset_key == dg.AssetKey(["leads", asset]):
            return {k: v.value for k, v in event.materialization.metadata.items()}
    raise AssertionError(f"leads/{asset} not materialised")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    home = tmp_path_factory.mktemp("leads")
    with FakeSheetsApi() as api:
        raw = generate_leads(3_000, dt.date(2024, 12, 1), dt.date(2025, 3, 20), seed=3)
        api.add_sheet(SHEET, "Leads", sheet_rows(raw))
        for name, value in {
            "LEANETL_HOME": str(home),
            "LEANETL_TIMEZONE": "America/Chicago",
            "LEANETL_LEADS_SHEET_KEY": SHEET,
            "LEANETL_LEADS_WORKSHEET": "Leads",
            "LEANETL_LEADS_SHEETS_CREDENTIALS": json.dumps(
                service_account_info(f"{api.url}/token")
            ),
            "LEANETL_SHEETS_API_URL": api.url,
            "LEANETL_RETRIES": "0",
        }.items():
            mp.setenv(name, value)
        for name in ("LEANETL_ENV", "LEANETL_LAKE_URL", "LEANETL_LEADS_SOURCE_URL"):
            mp.delenv(name, raising=False)
        source = home / "sources" / "leads"
        source.mkdir(parents=True)
        generate_companies().to_csv(source / "companies.csv", index=False)
        export = raw.head(40)
        export.to_csv(source / "leads_export_2025-03-10.csv", index=False)
        yield {
            "api": api,
            "raw": raw,
            "export": export,
            "home": home,
            "instance": dg.DagsterInstance.ephemeral(),
        }
    mp.undo()


def test_sheet_to_answers_and_dashboard(env) -> None:
    result = run(env)
    assert result.success
    checks = {
        (
            e.asset_check_evaluation_data.asset_key.to_user_string(),
            e.asset_check_evaluation_data.check_name,
        ): e.asset_check_evaluation_data.passed
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    assert len(checks) == 10 and all(checks.values()), checks  # 8 + 2 source guards
    raw_meta = metadata(result, "leads_raw")
    assert raw_meta["source"] == "google_sheet"
    assert raw_meta["source_rows"] == 3_000
    expected = clean_leads(env["raw"], "America/Chicago")
    leads_meta = metadata(result, "leads")
    assert leads_meta["quarantined_rows"] == len(expected.quarantine) > 0
    assert leads_meta["dagster/row_count"] == len(expected.rows)
    assert metadata(result, "leads_quarantine")["dagster/row_count"] == len(expected.quarantine)
    lake = env["home"] / "lake"
    for name in ANSWERS:
        assert (lake / partition_object_key(dg.AssetKey(["leads", name]), DAY)).exists()
    month = pd.read_parquet(
        lake / partition_object_key(dg.AssetKey(["leads", "leads_per_month"]), DAY)
    )
    assert month["month"].astype(str).tolist() == ["2025-01-01", "2025-02-01", "2025-03-01"]
    page = (lake / "dashboards" / "leads" / "answers" / f"dt={DAY}" / "index.html").read_text()
    assert "Leads per month" in page and "Top countries" in page


def test_rerun_replaces_the_partition(env) -> None:
    assert run(env).success
    files = list((env["home"] / "lake" / "leads" / "leads").glob(f"dt={DAY}/*"))
    assert [f.name for f in files] == ["data.parquet"]


def test_api_refusal_falls_back_to_the_newest_export(env) -> None:
    env["api"].fail_next(403, message="The caller does not have permission")
    result = run(env)
    assert result.success
    raw_meta = metadata(result, "leads_raw")
    assert raw_meta["source"] == "export"
    assert raw_meta["source_detail"].endswith("leads_export_2025-03-10.csv")
    assert "403" in raw_meta["fallback_reason"] and "permission" in raw_meta["fallback_reason"]
    assert raw_meta["source_rows"] == 40


def test_empty_sheet_fails_unless_allowed_then_gives_empty_answers(env) -> None:
    assert run(env).success
    leads_before = partition_rows(env, "leads")
    env["api"].add_sheet(SHEET, "Leads", [])
    try:
        refused = run(env)
        # An empty source is refused by default: nothing written, nothing downstream replaced.
        assert not refused.success
        assert not check_results(refused)["source_not_truncated"].passed
        assert any("source yielded no rows" in m for m in step_errors(refused))
        assert partition_rows(env, "leads") == leads_before > 0
        allowed = run(env, run_config=ALLOW_TRUNCATED)
    finally:
        env["api"].add_sheet(SHEET, "Leads", sheet_rows(env["raw"]))
    # Allowed in the run config, it is an empty source: empty answers, not a crash.
    assert allowed.success
    assert metadata(allowed, "leads")["dagster/row_count"] == 0
    assert metadata(allowed, "top_countries")["dagster/row_count"] == 0
    assert metadata(allowed, "leads_per_month")["dagster/row_count"] == 3  # Jan..Mar, zeros
    assert run(env).success


def test_missing_column_fails_naming_it_and_emails_the_failure(env, monkeypatch) -> None:
    rows = sheet_rows(env["raw"])
    env["api"].add_sheet(
        SHEET, "Leads", [[c for c in r if c != "Country"] for r in rows[:1]] + rows[1:]
    )
    try:
        result = run(env)
    finally:
        env["api"].add_sheet(SHEET, "Leads", rows)
    assert not result.success
    errors = [e.step_failure_data.error.message for e in result.all_events if e.is_step_failure]
    assert any("missing required column 'country'" in m and "Leads" in m for m in errors), errors

    with smtp_server() as inbox:
        monkeypatch.setenv("LEANETL_SMTP_HOST", inbox.host)
        monkeypatch.setenv("LEANETL_SMTP_PORT", str(inbox.port))
        monkeypatch.setenv("LEANETL_SMTP_TLS", "none")
        monkeypatch.setenv("LEANETL_SMTP_USER", inbox.user)
        monkeypatch.setenv("LEANETL_SMTP_PASSWORD", inbox.password)
        monkeypatch.setenv("LEANETL_ALERT_TO", "data-team@example.org, ops@example.org")
        settings = load_settings()
        defs = build_defs(settings)
        sensor = defs.resolve_sensor_def("email_on_run_failure")
        instance = env["instance"]
        failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
        with dg.build_run_status_sensor_context(
            sensor_name=sensor.name,
            dagster_event=failure,
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(result.run_id),
            resources={"mailer": build_resources(settings)["mailer"]},
        ) as context:
            sensor(context.for_run_failure())
        assert inbox.logins == ["alerts"]
        assert len(inbox.messages) == 1
        mail = inbox.messages[0]
    assert mail["To"] == "data-team@example.org, ops@example.org"
    assert mail["Subject"] == f"[leanetl] leads_daily failed for {DAY} at read_leads_sheet"
    body = mail.get_payload(decode=True).decode()
    assert f"Run {result.run_id}" in body
    assert "Failed step: read_leads_sheet" in body
    assert "missing required column 'country'" in body
    assert f"/runs/{result.run_id}" in body
    assert inbox.password not in body


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("leads_export_2099-01-01.csv", b""),
        (
            "leads_export_2099-01-01.csv",
            b"Company,First Name,Last Name,Title,Country,Operator Timestamp\r\n",
        ),
        ("leads_export_2099-01-01.json", b"[]"),
    ],
    ids=["zero-bytes", "header-only", "empty-json"],
)
def test_truncated_newest_export_keeps_the_previous_partition(env, name, content) -> None:
    assert run(env).success
    before = {a: partition_rows(env, a) for a in ("leads_raw", "leads", "top_countries")}
    newest = env["home"] / "sources" / "leads" / name
    newest.write_bytes(content)
    try:
        env["api"].fail_next(403, message="The caller does not have permission")
        result = run(env)
    finally:
        newest.unlink()
    assert not result.success
    check = check_results(result)["source_not_truncated"]
    assert not check.passed
    assert check.metadata["problem"].value.startswith("the source yielded no rows")
    assert any(name in m or "no rows" in m for m in step_errors(result))
    # Not retried (retrying does not make an export longer) and nothing replaced downstream.
    assert not [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert {a: partition_rows(env, a) for a in before} == before
    assert before["leads"] > 1000 and before["top_countries"] > 5


def test_a_steep_drop_from_the_previous_partition_fails_the_check(env) -> None:
    previous_day = "2025-03-13"
    assert run(env, previous_day).success
    rows = sheet_rows(env["raw"])
    env["api"].add_sheet(SHEET, "Leads", rows[: len(rows) // 4])  # three quarters gone
    try:
        result = run(env)
    finally:
        env["api"].add_sheet(SHEET, "Leads", rows)
    assert not result.success
    check = check_results(result)["source_not_truncated"]
    assert check.metadata["previous_partition"].value == previous_day
    assert "fewer than" in check.metadata["problem"].value
