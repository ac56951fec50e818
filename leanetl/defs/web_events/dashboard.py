"""The web events dashboard: the last 14 arrival days, one HTML page per day."""

from collections.abc import Iterator

import dagster as dg

from leanetl.defs.dashboards import PLOTLY_SRC, dashboard_asset, dashboard_key, publish_dashboard
from leanetl.defs.partitions import partition_day
from leanetl.defs.web_events.common import DOMAIN, QUERY_TABLES
from leanetl.io_managers.object_store import ObjectStore
from leanetl.lib.web_events.dashboard import daily_activity, web_events_dashboard
from leanetl.lib.web_events.lake import recent_rows
from leanetl.settings import Settings

DAYS = 14


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
        tracks = recent_rows(web_lake, "tracks", day, DAYS)
        pages = recent_rows(web_lake, "pages", day, DAYS)
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
