"""The web events dashboard: the last 14 arrival days, one HTML page per day."""

import datetime as dt
from collections.abc import Iterator

import dagster as dg
import pandas as pd

from leanetl.defs.dashboards import PLOTLY_SRC, dashboard_asset, dashboard_key, publish_dashboard
from leanetl.defs.partitions import partition_day
from leanetl.defs.web_events.common import DOMAIN, QUERY_TABLES, TRANSFORMED
from leanetl.io_managers.object_store import ObjectStore
from leanetl.lib.parquet import read_parquet_bytes
from leanetl.lib.web_events.dashboard import daily_activity, web_events_dashboard
from leanetl.settings import Settings

DAYS = 14


def recent(lake: ObjectStore, table: str, last_day: dt.date) -> pd.DataFrame:
    """A table's rows of the ``DAYS`` arrival days up to ``last_day``, one per message_id."""
    frames = []
    for n in range(DAYS):
        day = last_day - dt.timedelta(days=n)
        for key in lake.list_keys(f"{TRANSFORMED}/{table}/dt={day}/"):
            frames.append(read_parquet_bytes(lake.get_bytes(key)))
    if not frames:
        return pd.DataFrame()
    rows = pd.concat(frames, ignore_index=True)
    rows = rows.sort_values(["received_at", "raw_object", "raw_offset"], na_position="last")
    keep = rows["message_id"].isna() | ~rows["message_id"].duplicated()
    return rows[keep].reset_index(drop=True)


def build_dashboard_asset(settings: Settings) -> dg.AssetsDefinition:
    @dashboard_asset(
        settings,
        [DOMAIN, "web_events_dashboard"],
        [list(QUERY_TABLES.path)],
        f"Events per day by type, daily active users and top pages over the last {DAYS} days.",
        include_today=True,
        timezone="UTC",
    )
    def web_events_dashboard_html(
        context: dg.AssetExecutionContext, web_lake: ObjectStore, lake: ObjectStore
    ) -> Iterator[dg.MaterializeResult]:
        day = partition_day(context)
        tracks, pages = recent(web_lake, "tracks", day), recent(web_lake, "pages", day)
        if tracks.empty and pages.empty:
            context.log.info(f"no events in the {DAYS} days up to {day}: no page published")
            return
        activity = daily_activity(tracks, pages)
        page = web_events_dashboard(activity, pages, day.isoformat(), PLOTLY_SRC)
        yield publish_dashboard(
            lake,
            dashboard_key(DOMAIN, "activity", day.isoformat()),
            page,
            {"events": len(tracks) + len(pages), "days": int(activity["day"].nunique())},
        )

    return web_events_dashboard_html
