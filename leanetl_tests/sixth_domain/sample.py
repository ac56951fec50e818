"""The deliveries domain's sample and where the demo's results are."""

import datetime as dt
from pathlib import Path

from leanetl.sample.prepare import local_dir
from leanetl.settings import Settings


def prepare_sample(
    settings: Settings, days: list[dt.date], today: dt.date, sample_home: bool
) -> int:
    folder = local_dir(settings.deliveries.source_url, "LEANETL_DELIVERIES_SOURCE_URL")
    folder.mkdir(parents=True, exist_ok=True)
    for day in days:
        rows = [f"h{n},{1 + (day.toordinal() + n) % 4}" for n in range(3 + day.day % 3)]
        (folder / f"parcels-{day}.csv").write_text("household,parcels\n" + "\n".join(rows) + "\n")
    return len(days)


def demo_results(settings: Settings, days: list[dt.date]) -> list[str]:
    parcels = Path(settings.lake_url) / "deliveries/parcels" / f"dt={days[-1]}" / "data.parquet"
    return [f"deliveries         {parcels}"]
