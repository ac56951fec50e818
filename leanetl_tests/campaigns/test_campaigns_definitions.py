"""The campaigns domain as the UI shows it, its schedule for today's partition, its sensor for
newly active campaigns, and its secrets."""

import datetime as dt
import json

import dagster as dg

from leanetl.definitions import build_defs
from leanetl.io_managers.mongo import MongoStore
from leanetl.resources import build_resources
from leanetl.sample.campaigns import sample_campaigns
from leanetl.settings import load_settings

CAMPAIGNS = {
    "active_campaigns",
    "campaigns_quarantine",
    "contributions",
    "contributions_quarantine",
    "ads_insights",
    "ads_insights_totals",
    "insights_quarantine",
    "insights_changes",
    "reach_map",
    "campaign_stats",
    "expenditures",
    "canvases",
    "campaigns_dashboard",
}
OUT = {"reach_map", "campaign_stats", "expenditures", "canvases", "campaigns_dashboard"}


def test_every_campaigns_asset_is_partitioned_up_to_today_with_checks(leanetl_home) -> None:
    settings = load_settings()
    graph = build_defs(settings).resolve_asset_graph()
    nodes = {
        k.path[-1]: graph.get(k) for k in graph.get_all_asset_keys() if k.path[0] == "campaigns"
    }
    assert set(nodes) == CAMPAIGNS
    today = settings.today().isoformat()
    for name, node in nodes.items():
        assert node.group_name == "campaigns", name
        assert node.partitions_def.get_last_partition_key() == today, name
        assert (node.freshness_policy is not None) == (name in OUT), name
    checks = {(k.asset_key.path[-1], k.name) for k in graph.asset_check_keys}
    assert {
        ("active_campaigns", "ids_unique"),
        ("ads_insights", "keys_unique"),
        ("ads_insights", "within_campaign_dates"),
        ("ads_insights_totals", "reach_not_summed"),
        ("ads_insights_totals", "spend_reconciles"),
        ("campaign_stats", "one_total_per_campaign"),
        ("expenditures", "matches_insights"),
        ("canvases", "shares_add_up"),
    } <= checks
    fetch = graph.assets_def_for_key(dg.AssetKey(["campaigns", "ads_insights"]))
    assert fetch.op.retry_policy.max_retries == 3


def test_schedule_refreshes_todays_partition_every_six_hours(leanetl_home, monkeypatch) -> None:
    monkeypatch.setenv("LEANETL_TIMEZONE", "America/Los_Angeles")
    defs = build_defs(load_settings())
    schedule = defs.resolve_schedule_def("campaigns_refresh_schedule")
    assert schedule.cron_schedule == "0 */6 * * *"
    assert schedule.execution_timezone == "America/Los_Angeles"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    # 02:00 UTC on 3 March is still 2 March in Los Angeles: that day's partition is refreshed.
    tick = dt.datetime(2026, 3, 3, 2, 0, tzinfo=dt.UTC)
    request = schedule(dg.build_schedule_context(scheduled_execution_time=tick))
    assert request.partition_key == "2026-03-02"


def test_sensor_requests_the_window_of_a_newly_active_campaign(leanetl_home) -> None:
    settings = load_settings()
    today = settings.today()
    mongo = MongoStore(embedded_dir=str(settings.mongo_dir))
    with mongo.session("campaigns") as database:
        database["campaigns"].insert_many(
            [c for c in sample_campaigns(today) if c["_id"] in ("cmp-001", "cmp-006", "cmp-008")]
        )
    defs = build_defs(settings)
    sensor = defs.resolve_sensor_def("campaigns_newly_active")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    instance = dg.DagsterInstance.ephemeral()
    with dg.build_sensor_context(instance=instance, resources={"mongo": mongo}) as context:
        result = sensor(context)
    # cmp-006 started 3 days ago, cmp-001 45 days ago (cmp-008 is invalid): 46 missing days in
    # all, of which the sensor asks for the newest LEANETL_SENSOR_CATCHUP_DAYS (7), newest
    # first, one run per day for both campaigns (a run refreshes every campaign).
    expected = [(today - dt.timedelta(days=n)).isoformat() for n in range(7)]
    assert [r.partition_key for r in result.run_requests] == expected
    assert {r.tags["leanetl/activated_campaigns"] for r in result.run_requests} == {
        "cmp-001+cmp-006"
    }
    cursor = result.cursor
    assert json.loads(cursor) == ["cmp-001", "cmp-006"]
    with dg.build_sensor_context(
        instance=instance, resources={"mongo": mongo}, cursor=cursor
    ) as context:
        assert isinstance(sensor(context), dg.SkipReason)


def test_sensor_catch_up_is_a_setting_and_skips_done_days(leanetl_home, monkeypatch) -> None:
    monkeypatch.setenv("LEANETL_SENSOR_CATCHUP_DAYS", "3")
    settings = load_settings()
    today = settings.today()
    mongo = MongoStore(embedded_dir=str(settings.mongo_dir))
    with mongo.session("campaigns") as database:
        database["campaigns"].insert_many(
            [c for c in sample_campaigns(today) if c["_id"] == "cmp-001"]
        )
    instance = dg.DagsterInstance.ephemeral()
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    instance.report_runless_asset_event(
        dg.AssetMaterialization(["campaigns", "ads_insights"], partition=yesterday)
    )
    sensor = build_defs(settings).resolve_sensor_def("campaigns_newly_active")
    with dg.build_sensor_context(instance=instance, resources={"mongo": mongo}) as context:
        result = sensor(context)
    assert [r.partition_key for r in result.run_requests] == [
        (today - dt.timedelta(days=n)).isoformat() for n in (0, 2, 3)
    ]


def test_facebook_token_stays_in_an_env_var(leanetl_home, monkeypatch) -> None:
    monkeypatch.setenv("LEANETL_FB_ACCESS_TOKEN", "EAAB-very-secret")
    resources = build_resources(load_settings())
    facebook = resources["facebook"]
    assert isinstance(facebook.access_token, dg.EnvVar)
    assert "EAAB-very-secret" not in repr(facebook)
    assert facebook.sample is False  # a token means the real API, even locally
    monkeypatch.delenv("LEANETL_FB_ACCESS_TOKEN")
    # No token: the sample answers only where it was asked for.
    assert build_resources(load_settings())["facebook"].sample is False
    monkeypatch.setenv("LEANETL_SAMPLE_DATA", "on")
    assert build_resources(load_settings())["facebook"].sample is True


def test_a_day_with_nothing_to_show_publishes_no_dashboard(leanetl_home) -> None:
    settings = load_settings()
    dashboard = build_defs(settings).resolve_assets_def(
        dg.AssetKey(["campaigns", "campaigns_dashboard"])
    )
    result = dg.materialize(  # with the definitions' own (embedded, empty) lake and Mongo
        [dashboard], partition_key="2025-03-01", instance=dg.DagsterInstance.ephemeral()
    )
    # A catch-up run of a day before any spend must not become the dashboard's latest page.
    assert result.success
    assert result.get_asset_materialization_events() == []
    assert not (leanetl_home / "lake" / "dashboards").exists()


def test_every_step_that_talks_to_an_outside_system_retries(leanetl_home) -> None:
    graph = build_defs(load_settings()).resolve_asset_graph()
    for domain, name in [
        ("campaigns", "active_campaigns"),  # MongoDB
        ("campaigns", "contributions"),
        ("campaigns", "ads_insights"),  # Graph API
        ("campaigns", "insights_changes"),  # MongoDB
        ("campaigns", "reach_map"),  # GCS
        ("campaigns", "expenditures"),
        ("campaigns", "canvases"),
        ("campaigns", "campaigns_dashboard"),  # MongoDB + the lake
        ("leads", "leads_raw"),  # Sheets API
        ("leads", "leads_dashboard"),
        ("volunteers", "flake_rate_dashboard"),  # the warehouse + the lake
    ]:
        op = graph.assets_def_for_key(dg.AssetKey([domain, name])).op
        assert op.retry_policy is not None and op.retry_policy.max_retries == 3, name
