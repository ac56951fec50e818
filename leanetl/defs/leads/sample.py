"""The leads domain's sample (``make sample``, ``make demo``) and where the demo's results are."""

import datetime as dt
from pathlib import Path

from leanetl.demo_summary import query_hint
from leanetl.sample import leads
from leanetl.sample.prepare import local_dir
from leanetl.settings import Settings


def prepare_sample(
    settings: Settings, days: list[dt.date], today: dt.date, sample_home: bool
) -> int:
    """The sample export and companies, each where the folder has none of the team's."""
    folder = local_dir(settings.leads.source_url, "LEANETL_LEADS_SOURCE_URL")
    before = len(list(folder.glob("*"))) if folder.exists() else 0
    leads.ensure_sample_files(folder, today)
    return len(list(folder.glob("*"))) - before


def demo_results(settings: Settings, days: list[dt.date]) -> list[str]:
    lake = Path(settings.lake_url)
    top = lake / "leads/top_countries" / f"dt={days[-1]}" / "data.parquet"
    page = lake / "dashboards/leads/answers" / f"dt={days[-1]}" / "index.html"
    return [
        f"leads answers      {lake / 'leads'}/<answer>/dt=<day>/data.parquet",
        "    " + query_hint(f"select * from '{top}'"),
        f"    dashboard: {page}",
        f"    sources: {settings.leads.source_url} (sample export + companies)",
    ]
