"""The one way sample data reaches a home: asked for by ``make sample`` or ``make demo``.

No asset writes sample data. ``prepare`` fills a *local* home's source locations with the
deterministic samples of every domain (each domain's ``sample.prepare_sample``: VAN sign-ups,
the leads export and companies, the platform's campaigns in the embedded Mongo store, Firehose
objects and Chatfuel exports for each day asked for) and leaves a marker in the home: a home
with the marker is one whose owner asked for the sample, so ``LEANETL_SAMPLE_DATA`` defaults to
on there (the sample Facebook insights and the sample Chatfuel bot stand in for the APIs), and
off everywhere else.

Each domain's sample is written only where that domain's source holds nothing yet, so preparing
a home twice, or a home that already holds a team's own files, changes none of their files.
"""

import datetime as dt
import json
from pathlib import Path

from leanetl.domains import domains
from leanetl.settings import SAMPLE_MARKER, Settings

COMMAND = "make sample"


def local_dir(url: str, setting: str) -> Path:
    """``url`` as a folder: the sample goes into a local home's folders, never a bucket."""
    if "://" in url:
        raise ValueError(
            f"{setting}={url} is not a local folder: the sample goes into local homes only"
        )
    return Path(url)


def holds_files(folder: Path) -> bool:
    return folder.exists() and any(p.is_file() for p in folder.rglob("*"))


def sample_folder(url: str, setting: str, sample_home: bool) -> Path | None:
    """The local folder ``url`` for a sample to write into; None where it already holds files
    and the home is not the sample's (the team's own files are never mixed with the sample)."""
    folder = local_dir(url, setting)
    return None if not sample_home and holds_files(folder) else folder


def prepare(
    settings: Settings, days: list[dt.date], today: dt.date | None = None
) -> dict[str, int]:
    """Write the sample sources of ``days`` (and of ``today`` for the undated ones) into this
    local home: each domain's ``sample.prepare_sample``; how many files or documents each domain
    got (0: it had its own already)."""
    if not settings.is_local:
        raise ValueError(f"sample data is for the local environment only, not {settings.env}")
    today = today or settings.today()
    # Dated sources get the sample's days only while they hold nothing else: an empty folder,
    # or one that ``prepare`` filled before (the home's marker).
    sample_home = (settings.home / SAMPLE_MARKER).exists()
    written: dict[str, int] = {}
    for domain in domains():
        hook = domain.hook("sample", "prepare_sample")
        if hook:
            written[domain.name] = int(hook(settings, days, today, sample_home))
    _mark(settings.home, days)
    return written


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
