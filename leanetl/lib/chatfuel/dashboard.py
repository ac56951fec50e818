"""The Chatfuel dashboard page (what the team's Looker report showed every morning): reachable
users per engagement and opinion bucket day by day, reachable vs blocked, and the broadcasts."""

import pandas as pd
import plotly.graph_objects as go

from leanetl.lib.dashboards import html_page

BROADCAST_COLUMNS = [
    "sent_on",
    "name",
    "kind",
    "status",
    "audience",
    "recipients_count",
    "recipients_count_change",
    "recipients_listed",
]


def _buckets_figure(days: pd.DataFrame, prefix: str, title: str) -> go.Figure:
    figure = go.Figure()
    for column in sorted(c for c in days.columns if c.startswith(f"{prefix}_")):
        label = column.removeprefix(f"{prefix}_").replace("_", " ")
        figure.add_trace(go.Scatter(x=days["as_of_date"], y=days[column], mode="lines", name=label))
    figure.update_layout(title=title, yaxis_title="reachable users")
    return figure


def chatfuel_dashboard(
    users_daily: pd.DataFrame, broadcasts: pd.DataFrame, as_of: str, plotly_src: str | None = None
) -> str:
    """``users_daily`` rows up to the day (any order) and the day's ``broadcasts_daily`` rows."""
    days = users_daily.sort_values("as_of_date")
    status = go.Figure(
        [
            go.Scatter(x=days["as_of_date"], y=days["reachable"], mode="lines", name="reachable"),
            go.Scatter(x=days["as_of_date"], y=days["blocked"], mode="lines", name="blocked"),
        ]
    )
    status.update_layout(title="Reachable and blocked users", yaxis_title="users")
    # Newest first; broadcasts not sent yet on top.
    table = broadcasts.sort_values(["sent_on", "name"], ascending=False, na_position="first")[
        BROADCAST_COLUMNS
    ]
    return html_page(
        "Chatfuel subscribers and broadcasts",
        f"As pulled by the end of {as_of}. Buckets count reachable users (dbt vars).",
        [
            _buckets_figure(days, "engagement", "Engagement buckets"),
            _buckets_figure(days, "opinion", "Opinion buckets"),
            status,
        ],
        table,
        plotly_src,
    )
