"""The volunteers domain's sample (``make sample``, ``make demo``) and where the demo's results are."""

import datetime as dt
from pathlib import Path

from leanetl.demo_summary import query_hint
from leanetl.sample import volunteers
from leanetl.settings import Settings


def prepare_sample(
    settings: Settings, days: list[dt.date], today: dt.date, sample_home: bool
) -> int:
    """The sample VAN export, unless the folder holds one of the team's."""
    signups = settings.sources_dir / "volunteers"
    had = bool(list(signups.glob("event_signups*.csv")))
    volunteers.ensure_sample_files(signups, today, settings.timezone)
    return 0 if had else 1


def demo_results(settings: Settings, days: list[dt.date]) -> list[str]:
    page = Path(settings.lake_url) / "dashboards/volunteers/flake_rate" / f"dt={days[-1]}"
    sql = f"select * from volunteers.flake_rate_weekly where as_of_date = '{days[-1]}'"
    return [
        f"flake rates        {settings.duckdb_path} (volunteers.flake_rate_weekly)",
        "    " + query_hint(sql, settings.duckdb_path),
        f"    dashboard: {page / 'index.html'}",
    ]
