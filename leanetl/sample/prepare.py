"""The one way sample data reaches a home: asked for by ``make sample`` or ``make demo``.

No asset writes sample data. ``prepare`` fills a *local* home's source locations with the
deterministic samples of all five domains (VAN sign-ups, the leads export and companies, the
platform's campaigns in the embedded Mongo store, Firehose objects and Chatfuel exports for each
day asked for) and leaves a marker in the home: a home with the marker is one whose owner asked
for the sample, so ``LEANETL_SAMPLE_DATA`` defaults to on there (the sample Facebook insights and
the sample Chatfuel bot stand in for the APIs), and off everywhere else.

Each domain's sample is written only where that domain's source holds nothing yet, so preparing
a home twice, or a home that already holds a team's own files, changes none of their files.
"""

import datetime as dt
import json
from pathlib import Path

from leanetl.io_managers.mongo import MongoStore
from leanetl.io_managers.object_store import ObjectStore
from leanetl.sample import campaigns, chatfuel, leads, volunteers, web_events
from leanetl.settings import SAMPLE_MARKER, Settings

COMMAND = "make sample"


def _local_dir(url: str, setting: str) -> Path:
    if "://" in url:
        raise ValueError(
            f"{setting}={url} is not a local folder: the sample goes into local homes only"
        )
    return Path(url)


def prepare(
    settings: Settings, days: list[dt.date], today: dt.date | None = None
) -> dict[str, int]:
    """Write the sample sources of ``days`` (and of ``today`` for the undated ones) into this
    local home; how many files or documents each domain got (0: it had its own already)."""
    if not settings.is_local:
        raise ValueError(f"sample data is for the local environment only, not {settings.env}")
    today = today or settings.today()
    written: dict[str, int] = {}
    signups = settings.sources_dir / "volunteers"
    had = bool(list(signups.glob("event_signups*.csv")))
    volunteers.ensure_sample_files(signups, today, settings.timezone)
    written["volunteers"] = 0 if had else 1
    leads_dir = _local_dir(settings.leads.source_url, "LEANETL_LEADS_SOURCE_URL")
    before = len(list(leads_dir.glob("*"))) if leads_dir.exists() else 0
    leads.ensure_sample_files(leads_dir, today)
    written["leads"] = len(list(leads_dir.glob("*"))) - before
    with MongoStore(embedded_dir=str(settings.mongo_dir)).session("campaigns") as database:
        written["campaigns"] = int(campaigns.seed_sample(database, today))
    # Dated sources get the sample's days only while they hold nothing else: an empty folder,
    # or one that ``prepare`` filled before (the home's marker).
    sample_home = (settings.home / SAMPLE_MARKER).exists()
    raw_dir = _local_dir(settings.web_events.raw_url, "LEANETL_WEB_EVENTS_RAW_URL")
    written["web_events"] = 0
    if sample_home or not _holds_files(raw_dir):
        raw = ObjectStore(url=str(raw_dir))
        # One day at a time, as the sample defines each day's objects (sample/web_events.py).
        written["web_events"] = sum(web_events.ensure_sample_objects(raw, [d]) for d in days)
    exports = _local_dir(settings.chatfuel.source_url, "LEANETL_CHATFUEL_SOURCE_URL")
    written["chatfuel"] = 0
    if sample_home or not _holds_files(exports):
        for day in days:
            missing = not (exports / f"users_export-{day.isoformat()}.csv").exists()
            chatfuel.ensure_sample_export(exports, day)
            written["chatfuel"] += int(missing)
    _mark(settings.home, days)
    return written


def _holds_files(folder: Path) -> bool:
    return folder.exists() and any(p.is_file() for p in folder.rglob("*"))


def _mark(home: Path, days: list[dt.date]) -> None:
    marker = home / SAMPLE_MARKER
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(
        json.dumps({"sample_days": [d.isoformat() for d in days], "by": COMMAND}, indent=1) + "\n"
    )


def demo_days(settings: Settings, count: int) -> list[dt.date]:
    """The ``count`` days up to yesterday (the demo's range), not before the first partition."""
    yesterday = settings.today() - dt.timedelta(days=1)
    days = [yesterday - dt.timedelta(days=n) for n in range(count - 1, -1, -1)]
    return [d for d in days if d >= settings.start_date]
