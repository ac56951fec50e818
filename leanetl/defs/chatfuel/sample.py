"""The Chatfuel domain's sample (``make sample``, ``make demo``) and where the demo's results are."""

import datetime as dt
from pathlib import Path

from leanetl.demo_summary import query_hint
from leanetl.sample import chatfuel
from leanetl.sample.prepare import sample_folder
from leanetl.settings import Settings


def prepare_sample(
    settings: Settings, days: list[dt.date], today: dt.date, sample_home: bool
) -> int:
    """Each day's sample export, while the exports' folder holds none of the team's."""
    exports = sample_folder(
        settings.chatfuel.source_url, "LEANETL_CHATFUEL_SOURCE_URL", sample_home
    )
    if exports is None:
        return 0
    written = 0
    for day in days:
        written += not (exports / f"users_export-{day.isoformat()}.csv").exists()
        chatfuel.ensure_sample_export(exports, day)
    return written


def demo_results(settings: Settings, days: list[dt.date]) -> list[str]:
    found = settings.chatfuel
    page = Path(settings.lake_url) / "dashboards/chatfuel/subscribers" / f"dt={days[-1]}"
    queries = (
        "select attribute, count(*) as n from chatfuel.attribute_events "
        f"where dt = '{days[-1]}' group by 1 order by 2 desc limit 10",
        "select as_of_date, reachable, blocked, engagement_lead, engagement_hot_lead, "
        "engagement_advocate, engagement_hero, opinion_support, opinion_oppose "
        "from chatfuel.users_daily order by 1",
    )
    return [
        f"chatfuel           {found.source_url} (sample exports) and the sample bot's "
        f"broadcasts -> chatfuel.*, messages in {found.entries_url}",
        *("    " + query_hint(sql, settings.duckdb_path) for sql in queries),
        f"    dashboard: {page / 'index.html'}",
    ]
