"""The whole campaigns graph: the real facebook-business SDK against the fake Graph API (async
report runs, throttling, paging), maps uploaded to fake-gcs-server, the embedded Mongo store.

Shows: unchanged insights -> zero Mongo writes and no map upload; a late revision of one day of
one campaign -> exactly its documents change; a campaign ended mid-window is not fetched past its
end date; re-running a partition is a no-op."""

import datetime as dt
from typing import Any

import dagster as dg
import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from leanetl.definitions import build_defs
from leanetl.io_managers.mongo import MongoStore
from leanetl.io_managers.object_store import ObjectStore
from leanetl.lib.campaigns.documents import Campaign, validate_documents
from leanetl.sample.campaigns import sample_campaigns, sample_insights, seed_sample
from leanetl.settings import load_settings
from leanetl_tests.fakes.graph_api import FakeGraphApi, throttled

pytestmark = pytest.mark.slow
BUCKET = "campaign-maps-test"
COLLECTIONS = ("expenditures", "canvases", "_leanetl_sync")


class Insights:
    """The fake's answers: the sample's Graph-shaped rows, with late revisions on top."""

    def __init__(self, today: dt.date) -> None:
        valid = validate_documents(sample_campaigns(today), Campaign).valid
        self.catalog = {
            c.facebook.campaign_id: {
                "account_id": c.facebook.ad_account_id,
                "campaign_id": c.facebook.campaign_id,
                "campaign_name": c.name,
                "start": c.start_date.isoformat(),
                "end": c.end_date.isoformat() if c.end_date else "",
            }
            for c in valid
        }
        self.extra_spend: dict[tuple[str, str, str], float] = {}
        # Facebook campaign id -> rows the API wrongly adds to that campaign's daily answer.
        self.stray_rows: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        rows = sample_insights(params, self.catalog)
        if params.get("time_increment") == 1:
            rows += self.stray_rows.get(params["filtering"][0]["value"][0], [])
        for (fb_id, day, region), extra in self.extra_spend.items():
            for row in rows:
                covers = row["date_start"] <= day <= row["date_stop"]
                if row["campaign_id"] == fb_id and covers and row.get("region", region) == region:
                    row["spend"] = f"{float(row['spend']) + extra:.2f}"
        return rows


@pytest.fixture(scope="module")
def env(tmp_path_factory, fake_gcs_endpoint):
    mp = pytest.MonkeyPatch()
    home = tmp_path_factory.mktemp("campaigns")
    mp.setenv("STORAGE_EMULATOR_HOST", fake_gcs_endpoint)
    storage.Client(project="test", credentials=AnonymousCredentials()).create_bucket(BUCKET)
    for name in ("LEANETL_ENV", "LEANETL_LAKE_URL"):
        mp.delenv(name, raising=False)
    mp.setenv("LEANETL_HOME", str(home))
    today = load_settings().today()
    insights = Insights(today)
    with FakeGraphApi(insights, page_size=200, polls_to_finish=2) as graph:
        for name, value in {
            "LEANETL_FB_ACCESS_TOKEN": "test-token",
            "LEANETL_FB_GRAPH_URL": graph.url,
            "LEANETL_FB_POLL_SECONDS": "0.01",
            "LEANETL_FB_BACKOFF_SECONDS": "0.01",
            "LEANETL_CAMPAIGN_MAPS_URL": f"gs://{BUCKET}/maps",
            "LEANETL_BQ_PROJECT": "test",
            "LEANETL_RETRIES": "0",
        }.items():
            mp.setenv(name, value)
        settings = load_settings()
        mongo = MongoStore(embedded_dir=str(settings.mongo_dir))
        with mongo.session("campaigns") as database:
            seed_sample(database, today)
        yield {
            "graph": graph,
            "insights": insights,
            "today": today,
            "day": (today - dt.timedelta(days=1)).isoformat(),
            "mongo": mongo,
            "maps": ObjectStore(url=f"gs://{BUCKET}/maps", gcp_project="test"),
            "instance": dg.DagsterInstance.ephemeral(),
        }
    mp.undo()


def run(env, day: str | None = None) -> dg.ExecuteInProcessResult:
    defs = build_defs(load_settings())
    return defs.resolve_job_def("campaigns_refresh").execute_in_process(
        partition_key=day or env["day"], instance=env["instance"], raise_on_error=False
    )


def metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict[str, Any]:
    for event in result.get_asset_materialization_events():
        if event.asset_key == dg.AssetKey(["campaigns", asset]):
            return {k: v.value for k, v in event.materialization.metadata.items()}
    raise AssertionError(f"campaigns/{asset} not materialised")


def checks(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {
        f"{e.asset_check_evaluation_data.asset_key.path[-1]}:"
        f"{e.asset_check_evaluation_data.check_name}": e.asset_check_evaluation_data.passed
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def documents(env) -> dict[str, dict[str, dict]]:
    with env["mongo"].session("campaigns") as database:
        return {c: {d["_id"]: d for d in database[c].find({})} for c in COLLECTIONS}


def maps(env) -> dict[str, dt.datetime]:
    return {o.key: o.modified for o in env["maps"].list_objects("reach-maps")}


def snapshot_files(env) -> dict[str, int]:
    folder = load_settings().mongo_dir
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.suffix == ".bson"}


@pytest.fixture(scope="module")
def first(env):
    env["graph"].failures = [throttled()]  # the first call is throttled, then succeeds
    result = run(env)
    assert result.success
    return result


def test_first_run_writes_every_output(env, first) -> None:
    # 8 + the campaigns source's truncation guard + the quarantine checks of campaigns,
    # contributions and insights
    assert all(checks(first).values()) and len(checks(first)) == 12, checks(first)
    fetched = metadata(first, "ads_insights")
    assert fetched["retried_error_codes"] == "[80000]"
    assert fetched["async_report_runs"] == 4  # daily windows over 14 days: not cmp-006 (4 days)
    assert fetched["quarantined_rows"] == 0
    assert metadata(first, "active_campaigns")["quarantined_rows"] == 1
    plan = metadata(first, "insights_changes")
    assert plan["to_write"] == 5 and plan["unchanged"] == 0
    stored = documents(env)
    assert len(stored["_leanetl_sync"]) == 5
    expenditures = stored["expenditures"]
    assert {d["campaign_id"] for d in expenditures.values()} == {
        "cmp-001",
        "cmp-002",
        "cmp-003",
        "cmp-004",
        "cmp-006",
    }
    canvases = stored["canvases"]
    for campaign in ("cmp-001", "cmp-002"):
        shares = [c["share_of_funds"] for c in canvases.values() if c["campaign_id"] == campaign]
        assert sum(shares) == pytest.approx(1, abs=1e-4)
    uploaded = maps(env)
    assert len([k for k in uploaded if k.endswith(".html")]) == 5
    url = next(iter(canvases.values()))["map_url"]
    assert url.startswith(f"https://storage.googleapis.com/{BUCKET}/maps/reach-maps/")
    assert metadata(first, "expenditures")["mongo_write_round_trips"] == 1


def test_the_ended_campaign_is_not_fetched_past_its_end(env, first) -> None:
    ended = sample_campaigns(env["today"])[2]
    assert ended["status"] == "ended"
    fb_id, end = ended["facebook"]["campaign_id"], ended["end_date"].date().isoformat()
    queries = [q for q in env["graph"].queries if q["filtering"][0]["value"] == [fb_id]]
    assert queries and all(q["time_range"]["until"] == end for q in queries)
    days = {
        d["day"].date().isoformat()
        for d in documents(env)["expenditures"].values()
        if d["campaign_id"] == "cmp-003"
    }
    assert max(days) == end


def test_unchanged_insights_write_nothing_and_upload_nothing(env, first) -> None:
    before_docs, before_maps, before_files = documents(env), maps(env), snapshot_files(env)
    requests_before = len(env["graph"].requests)
    again = run(env)
    assert again.success and all(checks(again).values())
    assert len(env["graph"].requests) > requests_before  # the API was asked again
    assert metadata(again, "insights_changes")["unchanged"] == 5
    assert "unchanged since" in metadata(again, "insights_changes")["status"]
    assert metadata(again, "reach_map")["maps_uploaded"] == 0
    assert metadata(again, "campaign_stats")["rewritten"] is False
    for asset in ("expenditures", "canvases"):
        assert metadata(again, asset)["mongo_write_round_trips"] == 0
    assert documents(env) == before_docs
    assert maps(env) == before_maps
    assert snapshot_files(env) == before_files


def test_a_late_revision_changes_exactly_the_affected_documents(env, first) -> None:
    before_docs, before_maps = documents(env), maps(env)
    revised_day = (dt.date.fromisoformat(env["day"]) - dt.timedelta(days=3)).isoformat()
    fb_id = sample_campaigns(env["today"])[1]["facebook"]["campaign_id"]  # cmp-002
    env["insights"].extra_spend[(fb_id, revised_day, "Texas")] = 7.5
    result = run(env)
    assert result.success and all(checks(result).values()), checks(result)
    plan = metadata(result, "insights_changes")
    assert plan["to_write"] == 1 and plan["unchanged"] == 4
    after = documents(env)
    changed = {
        collection: sorted(
            k for k, d in after[collection].items() if before_docs[collection].get(k) != d
        )
        for collection in COLLECTIONS
    }
    assert changed["expenditures"] == [f"cmp-002:{revised_day}:facebook_ads"]
    doc = after["expenditures"][f"cmp-002:{revised_day}:facebook_ads"]
    old = before_docs["expenditures"][f"cmp-002:{revised_day}:facebook_ads"]
    assert doc["spend"] == pytest.approx(old["spend"] + 7.5)
    contributors = sorted(k for k, d in after["canvases"].items() if d["campaign_id"] == "cmp-002")
    assert changed["canvases"] == contributors and contributors
    assert changed["_leanetl_sync"] == ["cmp-002"]
    assert metadata(result, "expenditures")["updated"] == 1
    moved = sorted(k for k, t in maps(env).items() if before_maps.get(k) != t)
    assert moved == [k for k in sorted(maps(env)) if k.startswith("reach-maps/cmp-002/")]
    # And running it once more changes nothing.
    snapshot = documents(env)
    assert run(env).success
    assert documents(env) == snapshot


def test_rows_outside_the_campaign_dates_are_dropped_and_counted(env, first) -> None:
    campaigns = sample_campaigns(env["today"])
    cmp1, cmp2 = campaigns[0], campaigns[1]
    stray = dict(
        sample_insights(
            {
                "time_increment": 1,
                "breakdowns": ["region"],
                "filtering": [{"value": [cmp2["facebook"]["campaign_id"]]}],
                "time_range": {"since": env["day"], "until": env["day"]},
            },
            env["insights"].catalog,
        )[0]
    )
    stray |= {"date_start": "2020-01-01", "date_stop": "2020-01-01", "spend": "999.00"}
    env["insights"].stray_rows[cmp2["facebook"]["campaign_id"]] = [stray]
    revised_day = (dt.date.fromisoformat(env["day"]) - dt.timedelta(days=2)).isoformat()
    env["insights"].extra_spend[(cmp1["facebook"]["campaign_id"], revised_day, "Texas")] = 2.5
    try:
        result = run(env)
    finally:
        env["insights"].stray_rows.clear()
    # One stray row of cmp-002 stops nothing: dropped, counted, the check warns; cmp-001's
    # late revision is written in the same run.
    assert result.success
    evaluation = next(
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.asset_check_evaluation_data.check_name == "within_campaign_dates"
    )
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.metadata["rows_dropped_by_campaign"].value == {"cmp-002": 1}
    assert metadata(result, "ads_insights")["rows_out_of_range"] == 1
    plan = metadata(result, "insights_changes")
    assert plan["to_write"] == 1  # cmp-001 only: cmp-002's stray row changed nothing
    days = {d["day"].year for d in documents(env)["expenditures"].values()}
    assert 2020 not in days
