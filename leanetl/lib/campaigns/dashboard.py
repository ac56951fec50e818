"""The campaigns dashboard page: spend per day and people reached so far (plotly HTML)."""

import pandas as pd
import plotly.graph_objects as go

from leanetl.lib.dashboards import html_page


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
