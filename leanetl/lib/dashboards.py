"""plotly HTML reports that open offline: plotly.js inlined, or one shared copy beside them."""

import html
from collections.abc import Sequence

import pandas as pd
import plotly
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

# One copy of plotly.js serves every dashboard (4.8 MB each when inlined).
PLOTLY_JS_NAME = f"plotly-{plotly.__version__}.min.js"


def plotly_js() -> bytes:
    """The plotly.js bundle that ships with the plotly package (no CDN: pages open offline)."""
    return get_plotlyjs().encode()


def html_page(
    title: str,
    subtitle: str,
    figures: Sequence[go.Figure],
    table: pd.DataFrame,
    plotly_src: str | None = None,
) -> str:
    """One HTML document: a heading, the figures, then the table.

    ``plotly_src``: the (relative) URL of a shared plotly.js; None inlines plotly.js instead.
    """
    parts = [
        fig.to_html(
            full_html=False,
            include_plotlyjs=plotly_src is None and i == 0,
            config={"displaylogo": False},
        )
        for i, fig in enumerate(figures)
    ]
    script = (
        f"<script charset='utf-8' src='{html.escape(plotly_src)}'></script>" if plotly_src else ""
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>{script}"
        "<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}"
        "table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #ccc;"
        "padding:.25rem .5rem;text-align:right}th{background:#f3f3f3}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p>"
        + "".join(parts)
        + "<h2>Table</h2>"
        + table.to_html(index=False, na_rep="–", float_format=lambda v: f"{v:.3f}")
        + "</body></html>"
    )


def flake_rate_dashboard(outlook: pd.DataFrame, as_of: str, plotly_src: str | None = None) -> str:
    """Flake rate by week per region, the current week by region, and the table."""
    past = outlook[~outlook["future_week"].astype(bool)].sort_values(
        ["event_location_name", "week_start"]
    )
    by_week = go.Figure()
    for name, rows in past.groupby("event_location_name", sort=True):
        by_week.add_trace(
            go.Scatter(
                x=rows["week_start"], y=rows["flake_rate"], mode="lines+markers", name=str(name)
            )
        )
    by_week.update_layout(
        title="Flake rate by week (Saturday–Friday)", yaxis_tickformat=".0%", yaxis_range=[0, 1]
    )
    current = past[past["current_week"].astype(bool)].sort_values("event_location_name")
    current_fig = go.Figure(
        go.Bar(
            x=current["event_location_name"],
            y=current["flake_rate"],
            text=[
                f"{f}/{t}"
                for f, t in zip(current["total_flakes"], current["total_signups"], strict=True)
            ],
        )
    )
    current_fig.update_layout(
        title=f"Current week to {as_of}: flake rate by region (flakes/sign-ups)",
        yaxis_tickformat=".0%",
    )
    columns = [
        "week_start",
        "event_location_name",
        "current_week",
        "future_week",
        "no_show",
        "cancelled",
        "completed",
        "total_flakes",
        "total_signups",
        "flake_rate",
        "scheduled",
    ]
    table = outlook.sort_values(["week_start", "event_location_name", "future_week"])[columns]
    return html_page(
        "Volunteer flake rate",
        f"As known at the end of {as_of}. Flakes = No Show + Cancelled; future rows count scheduled sign-ups.",
        [by_week, current_fig],
        table,
        plotly_src,
    )


def leads_dashboard(
    per_month: pd.DataFrame,
    last_10_days: pd.DataFrame,
    top_countries: pd.DataFrame,
    as_of: str,
    plotly_src: str | None = None,
) -> str:
    """Leads per month this year, the last 10 days, and the top countries."""
    months = go.Figure(go.Bar(x=[str(m)[:7] for m in per_month["month"]], y=per_month["leads"]))
    months.update_layout(title=f"Leads per month in {as_of[:4]}, up to {as_of}")
    days = go.Figure(
        go.Bar(
            x=[str(d) for d in last_10_days["day"]], y=last_10_days["leads"], marker_color="#2a9d8f"
        )
    )
    days.update_layout(title=f"Leads in the last 10 days to {as_of}")
    ranked = top_countries.sort_values("rank", ascending=False)
    countries = go.Figure(go.Bar(x=ranked["leads"], y=ranked["country"], orientation="h"))
    countries.update_layout(title="Top countries by leads", height=max(300, 28 * len(ranked) + 120))
    return html_page(
        "Leads",
        f"As of the end of {as_of}: leads first captured on or before that day.",
        [months, days, countries],
        top_countries,
        plotly_src,
    )


def campaigns_dashboard(
    spend: pd.DataFrame, reach: pd.DataFrame, as_of: str, plotly_src: str | None = None
) -> str:
    """Daily spend per campaign, and reach to date per campaign as each day saw it.

    ``spend``: campaign_name, day, spend. ``reach``: campaign_name, day, reach, spend (totals of
    the campaign's period up to that day, reach being the API's count of distinct people).
    """
    daily = go.Figure()
    for name, rows in spend.sort_values("day").groupby("campaign_name", sort=True):
        daily.add_trace(go.Bar(x=[str(d)[:10] for d in rows["day"]], y=rows["spend"], name=name))
    daily.update_layout(title=f"Spend per day, up to {as_of}", barmode="stack", yaxis_title="spend")
    people = go.Figure()
    for name, rows in reach.sort_values("day").groupby("campaign_name", sort=True):
        people.add_trace(
            go.Scatter(
                x=[str(d)[:10] for d in rows["day"]],
                y=rows["reach"],
                mode="lines+markers",
                name=name,
            )
        )
    people.update_layout(title="People reached so far (distinct people, not a sum of days)")
    latest = (
        reach.sort_values("day").groupby("campaign_name", as_index=False).last()
        if len(reach)
        else reach
    )
    return html_page(
        "Campaigns: spend and reach",
        f"As of {as_of}. Spend from the expenditures in MongoDB; reach from each day's stats.",
        [daily, people],
        latest,
        plotly_src,
    )
