"""The reach map: figure contents, and the offline HTML (and PNG) after a round trip through GCS.

The browser tests serve the downloaded page from a made-up origin and abort every other request,
so a page that still needed its CDN (plotly.js or topojson) would draw no states.
"""

import json
import re
import sys
import uuid

import pandas as pd
import plotly.graph_objects as go
import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from leanetl.io_managers.object_store import ObjectStore
from leanetl.lib.campaigns.map_png import png_bytes
from leanetl.lib.campaigns.reach_map import (
    GEO_ASSETS_ID,
    GEO_DIR,
    NO_REACH_NOTE,
    offline_html,
    reach_map_figure,
)
from leanetl.lib.countries import US_STATES
from leanetl_tests.conftest import REPO

ARTIFACTS = REPO / "test-artifacts"
PAGE_URL = "http://reach-map.test/reach_map.html"
HIGH, LOW = "CO", "WY"  # rectangles: the middle of their bounding box is inside the state

# Every state reached, Colorado most and Wyoming least, so all 51 shapes are drawn.
STATES = pd.DataFrame(
    {
        "state": list(US_STATES),
        "reach": [
            250_000 if s == HIGH else 40 if s == LOW else 1_000 + 997 * i
            for i, s in enumerate(US_STATES)
        ],
    }
)
OTHERS = pd.DataFrame({"region": ["Ontario", "Unknown", "Ontario"], "reach": [2_000, 410, 500]})


def figure() -> go.Figure:
    return reach_map_figure(STATES, OTHERS, "Spring appeal: Facebook reach")


# -- the figure -------------------------------------------------------------------------------
def test_states_are_coloured_by_reach() -> None:
    fig = figure()
    choropleth = next(t for t in fig.data if t.type == "choropleth")
    assert dict(zip(choropleth.locations, choropleth.z, strict=True)) == dict(
        zip(STATES["state"], STATES["reach"], strict=True)
    )
    assert choropleth.locationmode == "USA-states"
    assert (choropleth.zmin, choropleth.zmax) == (0, 250_000)
    assert choropleth.colorbar.title.text == "people reached"
    assert "%{z:,}" in choropleth.hovertemplate and "%{customdata}" in choropleth.hovertemplate
    assert dict(zip(choropleth.locations, choropleth.customdata, strict=True))["DC"] == (
        "District of Columbia"
    )
    assert (fig.layout.geo.scope, fig.layout.geo.resolution) == ("usa", 110)


def test_other_regions_and_undrawable_codes_are_listed_beside_the_map() -> None:
    states = pd.DataFrame({"state": ["tx", "TX", "PR"], "reach": [5, 7, 30]})
    fig = reach_map_figure(states, OTHERS, "t")
    choropleth = next(t for t in fig.data if t.type == "choropleth")
    assert list(choropleth.locations) == ["TX"] and list(choropleth.z) == [12]
    table = next(t for t in fig.data if t.type == "table")
    regions, reach = table.cells.values
    assert list(regions) == ["Ontario", "Unknown", "PR"]
    assert list(reach) == [2_500, 410, 30]
    assert table.cells.format[1] == ","
    assert fig.layout.title.subtitle.text == "12 people reached in US states, 2,940 elsewhere"
    whole = reach_map_figure(states, OTHERS, "t", total_reach=2_700)
    assert whole.layout.title.subtitle.text.startswith(
        "2,700 people reached in all; by region 12 in"
    )


def test_empty_inputs_give_an_empty_map_with_a_note() -> None:
    fig = reach_map_figure(
        pd.DataFrame(columns=["state", "reach"]), pd.DataFrame(columns=["region", "reach"]), "t"
    )
    choropleth = next(t for t in fig.data if t.type == "choropleth")
    assert len(choropleth.locations) == 0 and choropleth.showscale is False
    assert [a.text for a in fig.layout.annotations] == [NO_REACH_NOTE]
    assert fig.layout.geo.scope == "usa"
    table = next(t for t in fig.data if t.type == "table")
    assert list(table.cells.values[0]) == ["none"]
    assert GEO_ASSETS_ID in offline_html(fig)


def test_state_codes_match_the_shipped_topojson() -> None:
    topojson = json.loads((GEO_DIR / "usa_110m.json").read_text())
    # plotly.js matches USA-states locations to subunits with properties.gu == "USA" by id.
    ids = {
        g["id"]
        for g in topojson["objects"]["subunits"]["geometries"]
        if g["properties"]["gu"] == "USA"
    }
    assert ids == set(US_STATES)


def test_offline_html_preloads_the_topojson_before_plotly() -> None:
    page = offline_html(figure())
    assert page.index(f'id="{GEO_ASSETS_ID}"') < page.index("plotly.js v")
    assert '"topojsonURL": "data:,"' in page


def test_png_reports_why_when_it_cannot_render(monkeypatch: pytest.MonkeyPatch) -> None:
    fig = figure()
    assert png_bytes(fig, browser_path="/nonexistent/chromium") == (
        None,
        "no Chrome/Chromium found (set BROWSER_PATH, e.g. /usr/bin/chromium)",
    )
    # starts, then exits at once
    png, why = png_bytes(fig, browser_path="/bin/false")
    assert png is None and "BrowserFailedError" in why
    monkeypatch.setitem(sys.modules, "kaleido", None)
    assert png_bytes(fig) == (None, "kaleido is not installed (pip install 'kaleido>=1')")


# -- in a browser, offline --------------------------------------------------------------------
@pytest.fixture
def gcs_maps(fake_gcs_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> ObjectStore:
    bucket = f"maps-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", fake_gcs_endpoint)
    storage.Client(project="test", credentials=AnonymousCredentials()).create_bucket(bucket)
    return ObjectStore(url=f"gs://{bucket}/maps", gcp_project="test")


def open_offline(browser, html: bytes) -> tuple:
    """The page served at PAGE_URL with every other request aborted; returns (page, requested)."""
    context = browser.new_context(viewport={"width": 1300, "height": 650})
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))

    def only_the_page(route) -> None:
        if route.request.url == PAGE_URL:
            route.fulfill(body=html, content_type="text/html; charset=utf-8")
        else:
            route.abort()

    context.route("**/*", only_the_page)
    # Plotly.newPlot's promise rejects when topojson cannot be had; note it so a test can wait.
    context.add_init_script(
        "window.addEventListener('unhandledrejection', e => { window.__plotError = String(e.reason) })"
    )
    page = context.new_page()
    page.goto(PAGE_URL)
    return page, requested


def drawn_states(page) -> dict[str, dict]:
    """Each choropleth path's location, fill and bounding box."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('path.choroplethlocation')]
            .map(p => { const b = p.getBoundingClientRect();
                        return [p.__data__.loc, {fill: getComputedStyle(p).fill,
                                x: b.x + b.width / 2, y: b.y + b.height / 2,
                                box: [b.x, b.y, b.width, b.height]}] }))"""
    )


def pixels(page, png: bytes, points: list[tuple[float, float]], box: list[float]) -> dict:
    """Decode ``png`` in a canvas: the colours at ``points`` and the share of ``box`` that is
    colour-scale blue (blue well above red; white, greys and black text are not)."""
    import base64

    return page.evaluate(
        """async ([url, points, box]) => {
            const img = new Image(); img.src = url; await img.decode();
            const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
            const g = c.getContext('2d'); g.drawImage(img, 0, 0);
            const at = ([x, y]) => Array.from(g.getImageData(Math.round(x), Math.round(y), 1, 1).data.slice(0, 3));
            const [x, y, w, h] = box.map(Math.round);
            const d = g.getImageData(x, y, w, h).data; let blue = 0;
            for (let i = 0; i < d.length; i += 4) if (d[i + 2] - d[i] > 30) blue++;
            return {at: points.map(at), blue: blue / (w * h), size: [img.width, img.height]};
        }""",
        [f"data:image/png;base64,{base64.b64encode(png).decode()}", points, box],
    )


def rgb(css: str) -> list[int]:
    return [int(v) for v in re.findall(r"\d+", css)[:3]]


def close_to(a: list[int], b: list[int], tolerance: int = 6) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


@pytest.mark.slow
def test_map_from_gcs_renders_offline(browser, gcs_maps: ObjectStore) -> None:
    fig = figure()
    gcs_maps.put_bytes(
        "reach.html", offline_html(fig).encode(), content_type="text/html; charset=utf-8"
    )
    png, why = png_bytes(fig)
    if png is not None:
        gcs_maps.put_bytes("reach.png", png, content_type="image/png")
    html = gcs_maps.get_bytes("reach.html")

    page, requested = open_offline(browser, html)
    page.wait_for_function(
        "document.querySelectorAll('path.choroplethlocation').length >= 49", timeout=15_000
    )
    assert requested == [PAGE_URL]
    states = drawn_states(page)
    assert set(states) == set(US_STATES)
    assert rgb(states[HIGH]["fill"]) != rgb(states[LOW]["fill"])
    assert "Ontario" in (page.text_content(".table") or "")

    ARTIFACTS.mkdir(exist_ok=True)
    shot = page.screenshot(path=str(ARTIFACTS / "reach_map.png"))
    union = page.evaluate(
        "() => { const b = document.querySelector('.choroplethlayer').getBoundingClientRect();"
        " return [b.x, b.y, b.width, b.height] }"
    )
    seen = pixels(page, shot, [(states[s]["x"], states[s]["y"]) for s in (HIGH, LOW)], union)
    assert close_to(seen["at"][0], rgb(states[HIGH]["fill"]))
    assert close_to(seen["at"][1], rgb(states[LOW]["fill"]))
    assert seen["blue"] > 0.4, seen
    assert requested == [PAGE_URL]

    if png is None:
        pytest.skip(f"HTML checked; no PNG: {why}")
    png = gcs_maps.get_bytes("reach.png")
    (ARTIFACTS / "reach_map_kaleido.png").write_bytes(png)
    # kaleido drew at 1200x600 with the same layout; check the picture has the map's blues.
    seen = pixels(page, png, [], [0, 0, 1200, 600])
    assert seen["size"] == [1200, 600]
    assert seen["blue"] > 0.1, seen
    page.context.close()


@pytest.mark.slow
def test_without_the_embedded_topojson_no_state_is_drawn(browser) -> None:
    fig = figure()
    stripped = re.sub(rf'<script id="{GEO_ASSETS_ID}">.*?</script>', "", offline_html(fig))
    assert GEO_ASSETS_ID not in stripped
    page, requested = open_offline(browser, stripped.encode())
    page.wait_for_function("window.__plotError", timeout=15_000)
    assert drawn_states(page) == {}
    assert requested == [PAGE_URL]
    page.context.close()

    # plotly's own page asks its CDN for the topojson: the recorder sees it, and no state is drawn.
    page, requested = open_offline(browser, fig.to_html(include_plotlyjs=True).encode())
    page.wait_for_function("window.__plotError", timeout=15_000)
    assert drawn_states(page) == {}
    assert [u for u in requested if u != PAGE_URL] == ["https://cdn.plot.ly/un/usa_110m.json"]
    page.context.close()
