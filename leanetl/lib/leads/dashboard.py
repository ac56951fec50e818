"""The leads dashboard page: leads per month, the last 10 days, top countries (plotly HTML)."""

import pandas as pd
import plotly.graph_objects as go

from leanetl.lib.dashboards import html_page


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
