"""The campaigns domain's sample (``make sample``, ``make demo``) and where the demo's results are."""

import datetime as dt
from pathlib import Path

from leanetl.demo_summary import query_hint
from leanetl.io_managers.mongo import MongoStore
from leanetl.sample import campaigns
from leanetl.settings import Settings


def prepare_sample(
    settings: Settings, days: list[dt.date], today: dt.date, sample_home: bool
) -> int:
    """The platform's sample campaigns in the embedded Mongo store, where it has none."""
    with MongoStore(embedded_dir=str(settings.mongo_dir)).session("campaigns") as database:
        return int(campaigns.seed_sample(database, today))


def demo_results(settings: Settings, days: list[dt.date]) -> list[str]:
    lake = Path(settings.lake_url)
    stats = lake / "campaigns/campaign_stats" / f"dt={days[-1]}" / "data.parquet"
    page = lake / "dashboards/campaigns/spend_and_reach" / f"dt={days[-1]}" / "index.html"
    sql = (
        f"select campaign_name, spend, reach, conversions, cost_per_result from '{stats}' "
        "where level = 'campaign'"
    )
    return [
        f"campaign stats     {stats}",
        "    " + query_hint(sql),
        f"    dashboard: {page}",
        f"    reach maps: {settings.campaigns.maps_url}/reach-maps/<campaign>/reach_map.html",
        f"    embedded Mongo: {settings.mongo_dir} (campaigns db: campaigns, contributions, "
        "expenditures, canvases)",
    ]
