"""`dagster dev` starts and headless Chromium shows the volunteers, leads and campaigns asset
graphs."""

import os
import shutil
import sys
from pathlib import Path

import pytest

from leanetl.demo import INSTANCE_YAML
from leanetl_tests.conftest import REPO
from leanetl_tests.fakes.processes import free_port, serving

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts"


def show_lineage(browser, url: str, asset: str, marker: str) -> str:
    """Open ``asset``'s lineage (five levels up and down), screenshot it, return the page text."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(
        f"{url}/assets/{asset}?view=lineage&lineageScope=neighbors&lineageDepth=5",
        timeout=120_000,
    )
    page.get_by_text(marker, exact=True).first.wait_for(timeout=120_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{asset.split('/')[0]}_asset_graph.png"))
    text = page.inner_text("body")
    page.close()
    return text


@pytest.mark.slow
def shown(name: str, page: str) -> bool:
    """The name on the page, whole or as the UI shortens a long one (``stg_volu…t_signups``)."""
    lines = page.splitlines()
    return name in lines or any(
        "…" in line
        and name.startswith(line.split("…")[0])
        and name.endswith(line.split("…")[-1])
        and len(line.split("…")[0]) >= 4
        for line in lines
    )


def test_asset_graph_shows_every_domain(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed (apt-get install chromium; .ci/run does it)")
    from playwright.sync_api import sync_playwright

    dagster_home = tmp_path / "dagster"
    dagster_home.mkdir()
    (dagster_home / "dagster.yaml").write_text(INSTANCE_YAML)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [
        str(Path(sys.executable).parent / "dagster"),
        "dev",
        "-w",
        "workspace.yaml",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    env = {"DAGSTER_HOME": str(dagster_home), "LEANETL_HOME": str(tmp_path / "home")}
    old_cwd = os.getcwd()
    os.chdir(REPO)
    try:
        with (
            serving(cmd, f"{url}/server_info", tmp_path / "dagster-dev.log", env=env, timeout=180),
            sync_playwright() as pw,
        ):
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            body = show_lineage(browser, url, "volunteers/flake_rate_outlook", "event_signups")
            leads_body = show_lineage(browser, url, "leads/top_countries", "leads_raw")
            campaigns_body = show_lineage(
                browser, url, "campaigns/insights_changes", "active_campaigns"
            )
            browser.close()
    finally:
        os.chdir(old_cwd)
    for name in (
        "event_signups",
        "stg_volunteers__event_signups",
        "int_volunteers__signup_last_status",
        "int_volunteers__weekly_signup_counts",
        "flake_rate_outlook",
        "flake_rate_dashboard",
    ):
        assert shown(name, body), f"{name} not shown in the asset graph"
    for name in ("leads_raw", "companies_raw", "companies", "top_countries", "leads_dashboard"):
        assert name in leads_body, f"{name} not shown in the leads asset graph"
    for name in ("active_campaigns", "ads_insights", "insights_changes", "reach_map", "canvases"):
        assert name in campaigns_body, f"{name} not shown in the campaigns asset graph"
