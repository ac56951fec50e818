"""The leads domain as the UI shows it: assets, checks, freshness, schedule, retries, secrets."""

import dagster as dg

from leanetl.definitions import build_defs
from leanetl.defs.leads.resources import spark_config
from leanetl.settings import load_settings

LEADS = {
    "leads_raw",
    "companies_raw",
    "leads",
    "leads_quarantine",
    "companies",
    "companies_quarantine",
    "leads_per_month",
    "leads_last_10_days",
    "top_countries",
    "hq_staff",
    "leads_dashboard",
}
ANSWERS = {"leads_per_month", "leads_last_10_days", "top_countries", "hq_staff"}


def test_every_leads_asset_is_partitioned_grouped_and_retried(leanetl_home) -> None:
    graph = build_defs(load_settings()).resolve_asset_graph()
    nodes = {k.path[-1]: graph.get(k) for k in graph.get_all_asset_keys() if k.path[0] == "leads"}
    assert set(nodes) == LEADS
    for name, node in nodes.items():
        assert node.group_name == "leads", name
        assert isinstance(node.partitions_def, dg.DailyPartitionsDefinition), name
        assert node.partitions_def.timezone == "America/Chicago"
    for name in (*ANSWERS, "leads_dashboard"):
        assert nodes[name].freshness_policy is not None, name
    answers = graph.assets_def_for_key(dg.AssetKey(["leads", "top_countries"]))
    policy = answers.op.retry_policy
    assert policy.max_retries == 3 and policy.backoff == dg.Backoff.EXPONENTIAL
    checks = {(k.asset_key.path[-1], k.name) for k in graph.asset_check_keys}
    assert {
        ("leads", "keys_unique"),
        ("companies", "keys_unique"),
        ("leads", "quarantine_below_limit"),
        ("leads_per_month", "per_month_reconciles"),
        ("leads_last_10_days", "window_is_ten_days"),
        ("top_countries", "top_countries_ranked"),
        ("hq_staff", "hq_staff_within_leads"),
    } <= checks


def test_schedule_at_seven_local_and_failure_sensor(leanetl_home, monkeypatch) -> None:
    monkeypatch.setenv("LEANETL_TIMEZONE", "Europe/Berlin")
    defs = build_defs(load_settings())
    schedule = defs.resolve_schedule_def("leads_daily_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 7 * * *", "Europe/Berlin")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    sensor = defs.resolve_sensor_def("email_on_run_failure")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_secrets_stay_in_env_vars(leanetl_home, monkeypatch) -> None:
    monkeypatch.setenv("LEANETL_LEADS_SHEETS_CREDENTIALS", '{"private_key": "pk-secret"}')
    monkeypatch.setenv("LEANETL_SMTP_PASSWORD", "smtp-secret")
    resources = build_defs(load_settings()).resources
    assert resources["sheets"].credentials == dg.EnvVar("LEANETL_LEADS_SHEETS_CREDENTIALS")
    assert resources["mailer"].password == dg.EnvVar("LEANETL_SMTP_PASSWORD")
    assert "pk-secret" not in repr(resources) and "smtp-secret" not in repr(resources)


def test_spark_master_or_connect_url(leanetl_home, monkeypatch) -> None:
    assert spark_config(load_settings())["spark.master"] == "local[*]"
    monkeypatch.setenv("LEANETL_SPARK_MASTER", "sc://spark.example:15002")
    config = spark_config(load_settings())
    assert config["spark.remote"] == "sc://spark.example:15002" and "spark.master" not in config
