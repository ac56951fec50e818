"""The web events domain's sample (``make sample``, ``make demo``) and where the demo's results are."""

import datetime as dt

from leanetl.demo_summary import query_hint
from leanetl.io_managers.object_store import ObjectStore
from leanetl.sample import web_events
from leanetl.sample.prepare import sample_folder
from leanetl.settings import Settings


def prepare_sample(
    settings: Settings, days: list[dt.date], today: dt.date, sample_home: bool
) -> int:
    """Each day's sample Firehose objects, while the raw folder holds none of the team's."""
    raw_dir = sample_folder(settings.web_events.raw_url, "LEANETL_WEB_EVENTS_RAW_URL", sample_home)
    if raw_dir is None:
        return 0
    raw = ObjectStore(url=str(raw_dir))
    # One day at a time, as the sample defines each day's objects (sample/web_events.py).
    return sum(web_events.ensure_sample_objects(raw, [day]) for day in days)


def demo_results(settings: Settings, days: list[dt.date]) -> list[str]:
    sql = "select event, count(*) as n from web_events.tracks group by 1 order by 2 desc"
    return [
        f"web events         {settings.web_events.url}/transformed/<table>/dt=<day>/*.parquet",
        "    " + query_hint(sql, settings.duckdb_path),
    ]
