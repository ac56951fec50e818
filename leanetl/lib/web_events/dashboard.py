"""The web events dashboard page: events per day by type, daily active users, top pages."""

import pandas as pd
import plotly.graph_objects as go

from leanetl.lib.dashboards import html_page


def daily_activity(tracks: pd.DataFrame, pages: pd.DataFrame) -> pd.DataFrame:
    """Per UTC day of the event: calls per kind (each track event, and page views) and daily
    active users (distinct user_id, else anonymous_id, over tracks and pages)."""
    frames = []
    for frame, kind in ((tracks, None), (pages, "page view")):
        if len(frame):
            part = pd.DataFrame(
                {
                    "day": frame["timestamp"].dt.strftime("%Y-%m-%d"),
                    "kind": frame["event"] if kind is None else kind,
                    "who": frame["user_id"].fillna(frame["anonymous_id"]),
                }
            )
            frames.append(part)
    if not frames:
        return pd.DataFrame(columns=["day", "kind", "calls", "active_users"])
    calls = pd.concat(frames, ignore_index=True)
    per_kind = (
        calls.groupby(["day", "kind"], as_index=False).size().rename(columns={"size": "calls"})
    )
    active = (
        calls.groupby("day", as_index=False)["who"]
        .nunique()
        .rename(columns={"who": "active_users"})
    )
    return per_kind.merge(active, on="day")


def top_pages(pages: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` most viewed page paths (ties by path)."""
    if pages.empty:
        return pd.DataFrame(columns=["path", "views"])
    path = pages["path"] if "path" in pages else pages.get("context_page_path")
    views = path.fillna("(none)").value_counts().rename_axis("path").reset_index(name="views")
    return views.sort_values(["views", "path"], ascending=[False, True]).head(n)


def web_events_dashboard(
    activity: pd.DataFrame, pages: pd.DataFrame, as_of: str, plotly_src: str | None = None
) -> str:
    kinds = go.Figure()
    for kind, rows in activity.groupby("kind", sort=True):
        kinds.add_trace(go.Bar(x=rows["day"], y=rows["calls"], name=kind))
    kinds.update_layout(title=f"Events per day by type, up to {as_of} (UTC)", barmode="stack")
    users = activity.drop_duplicates("day").sort_values("day")
    dau = go.Figure(go.Scatter(x=users["day"], y=users["active_users"], mode="lines+markers"))
    dau.update_layout(title="Daily active users (user_id, else anonymous_id)")
    return html_page(
        "Web events",
        f"As of {as_of}. One row per message_id (repeated deliveries counted once).",
        [kinds, dau],
        top_pages(pages),
        plotly_src,
    )
