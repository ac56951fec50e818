"""The volunteers dashboard page: flake rate by week and region (plotly HTML)."""

import pandas as pd
import plotly.graph_objects as go

from leanetl.lib.dashboards import html_page


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
