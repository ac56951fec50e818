"""The whole volunteers graph on the embedded stores, for a few days of sample data."""

import datetime as dt
import io

import dagster as dg
import pandas as pd
import pytest

from leanetl.definitions import build_defs
from leanetl.io_managers.warehouse import Warehouse
from leanetl.sample.volunteers import write_sample_file
from leanetl.settings import load_settings
from leanetl_tests import dbt_cli

TODAY = dt.date(2025, 3, 17)
DAYS = ["2025-03-13", "2025-03-14"]


def _run(defs: dg.Definitions, instance: dg.DagsterInstance, day: str) -> dg.ExecuteInProcessResult:
    return defs.resolve_job_def("volunteers_daily").execute_in_process(
        partition_key=day, instance=instance, raise_on_error=False
    )


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data.passed
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    home = tmp_path_factory.mktemp("graph")
    mp.setenv("LEANETL_HOME", str(home))
    mp.delenv("LEANETL_ENV", raising=False)
    mp.delenv("LEANETL_LAKE_URL", raising=False)
    mp.setenv("LEANETL_TIMEZONE", "America/Chicago")
    settings = load_settings()
    write_sample_file(settings.sources_dir / "volunteers", TODAY, settings.timezone)
    defs = build_defs(settings)
    instance = dg.DagsterInstance.ephemeral()
    results = {day: _run(defs, instance, day) for day in DAYS}
    yield settings, defs, instance, results
    mp.undo()


def test_every_partition_succeeds_and_every_check_passes(graph) -> None:
    _, _, _, results = graph
    for day, result in results.items():
        assert result.success, day
        checks = _checks(result)
        assert len(checks) >= 10
        assert all(checks.values()), {k: v for k, v in checks.items() if not v}


def test_outputs_are_in_the_warehouse_lake_and_dashboard(graph) -> None:
    settings, _, instance, _ = graph
    warehouse = Warehouse(backend="duckdb", duckdb_path=str(settings.duckdb_path))
    weekly = warehouse.query(
        "select as_of_date, count(*) n, sum(total_signups) s from volunteers.flake_rate_weekly group by 1 order by 1"
    )
    assert [str(d.date()) for d in weekly["as_of_date"]] == DAYS
    assert (weekly["n"] >= 6 * 10).all()  # six regions, ten-plus weeks of history
    signups = warehouse.query(
        "select count(distinct event_signup_id) n from volunteers.event_signups "
        "where event_date <= date '2025-03-14' and status_changed_at < timestamp '2025-03-15 05:00:00'"
    )
    assert weekly["s"].iloc[-1] == signups["n"].iloc[0]

    page = settings.home / "lake/dashboards/volunteers/flake_rate/dt=2025-03-14/index.html"
    html = page.read_text()
    assert (
        "Volunteer flake rate" in html
        and "Plotly.newPlot" in html
        and '<script src="http' not in html
    )
    # plotly.js is shared by every dashboard (one copy under dashboards/), not inlined per page.
    assert len(html) < 200_000 and "plotly.js v" not in html
    shared = list((settings.home / "lake/dashboards").glob("plotly-*.min.js"))
    assert len(shared) == 1 and shared[0].stat().st_size > 3_000_000
    event = instance.get_latest_materialization_event(
        dg.AssetKey(["volunteers", "flake_rate_dashboard"])
    )
    assert event.asset_materialization.metadata["dashboard_url"].value == page.as_uri()

    quarantine = pd.read_parquet(
        settings.home / "lake/volunteers/event_signups_quarantine/data.parquet"
    )
    assert quarantine.empty


def test_bad_rows_are_counted_and_a_broken_file_loses_nothing(graph) -> None:
    settings, defs, instance, _ = graph
    folder = settings.sources_dir / "volunteers"
    header = (folder / "event_signups_sample.csv").read_text().splitlines()[0]
    (folder / "event_signups_late.csv").write_text(
        header + "\n"
        "999001,1,2025-03-14,101,Minneapolis Field Office,Ana Ruiz,42,Completed,2025-03-14T20:00:00Z\n"
        "999002,1,not-a-date,101,Minneapolis Field Office,Ana Ruiz,43,Completed,2025-03-14T20:00:00Z\n"
    )
    result = _run(defs, instance, "2025-03-14")
    assert result.success
    meta = instance.get_latest_materialization_event(
        dg.AssetKey(["volunteers", "event_signups"])
    ).asset_materialization.metadata
    assert meta["quarantined_rows"].value == 1
    quarantine = pd.read_parquet(
        io.BytesIO(
            (settings.home / "lake/volunteers/event_signups_quarantine/data.parquet").read_bytes()
        )
    )
    assert quarantine["locator"].tolist() == ["line 3"]
    assert quarantine["reason"].str.startswith("event_date cannot be parsed").all()

    warehouse = Warehouse(backend="duckdb", duckdb_path=str(settings.duckdb_path))
    before = warehouse.query("select count(*) n from volunteers.event_signups")["n"].iloc[0]
    (folder / "event_signups_broken.csv").write_text("event_signup_id,event_id\n1,2\n")
    broken = _run(defs, instance, "2025-03-14")
    assert not broken.success
    failure = next(e for e in broken.all_events if e.event_type_value == "STEP_FAILURE")
    message = str(failure.step_failure_data.error)
    assert "event_signups_broken.csv" in message and "'event_date'" in message
    assert warehouse.query("select count(*) n from volunteers.event_signups")["n"].iloc[0] == before
    (folder / "event_signups_broken.csv").unlink()
    (folder / "event_signups_late.csv").unlink()


@pytest.mark.slow
def test_the_dashboard_draws_offline_with_the_shared_plotly_js(graph, browser) -> None:
    settings, _, _, _ = graph
    page_path = settings.home / "lake/dashboards/volunteers/flake_rate/dt=2025-03-14/index.html"
    context = browser.new_context()
    requested: list[str] = []
    context.on("request", lambda r: requested.append(r.url))
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith("file://") else route.abort()
        ),
    )
    page = context.new_page()
    page.goto(page_path.as_uri())
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2")
    assert page.evaluate("typeof Plotly") == "object"
    assert all(url.startswith("file://") for url in requested), requested
    assert any(url.endswith(".min.js") for url in requested)
    context.close()


def test_dbt_models_show_typed_documented_columns(graph) -> None:
    definition = (
        build_defs(load_settings())
        .resolve_asset_graph()
        .get(dg.AssetKey(["volunteers", "flake_rate_weekly"]))
    )
    documented = {c.name: c for c in definition.metadata["dagster/column_schema"].columns}
    assert len(documented) == 13
    assert documented["flake_rate"].type == "double"
    assert documented["flake_rate"].description.startswith("total_flakes / total_signups")
    settings, _, _, _ = graph
    # Every model's yml documents every column it has, with the type DuckDB gives it.
    dbt_cli.assert_models_documented(settings.duckdb_path, "volunteers")


def test_every_dbt_model_shows_the_rows_of_its_day(graph) -> None:
    settings, _, instance, _ = graph
    warehouse = Warehouse(backend="duckdb", duckdb_path=str(settings.duckdb_path))
    for model in (
        "int_volunteers__weekly_signup_counts",
        "flake_rate_weekly",
        "flake_rate_outlook",
    ):
        event = instance.get_latest_materialization_event(dg.AssetKey(["volunteers", model]))
        assert event.asset_materialization.partition == DAYS[-1]
        shown = event.asset_materialization.metadata["dagster/row_count"].value
        rows = warehouse.query(
            f"select count(*) n from volunteers.{model} where as_of_date = date '{DAYS[-1]}'"
        )["n"].iloc[0]
        assert shown == rows > 0, model
