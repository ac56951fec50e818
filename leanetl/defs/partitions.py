"""The daily partitions every domain shares."""

import datetime as dt

import dagster as dg

from leanetl.lib.calendar import day_end_utc
from leanetl.settings import Settings


def daily_partitions(settings: Settings) -> dg.DailyPartitionsDefinition:
    """Local days in the configured timezone, from the configured start date."""
    return dg.DailyPartitionsDefinition(
        start_date=settings.start_date.isoformat(), timezone=settings.timezone
    )


def partition_day(context: dg.AssetExecutionContext) -> dt.date:
    return dt.date.fromisoformat(context.partition_key)


def as_of_vars(day: dt.date, timezone: str) -> dict[str, str]:
    """dbt vars for a partition day: the day and the UTC instant its local day ends."""
    return {
        "as_of_date": day.isoformat(),
        "as_of_cutoff_utc": day_end_utc(day, timezone).strftime("%Y-%m-%d %H:%M:%S"),
    }


def out_freshness(settings: Settings) -> dg.FreshnessPolicy:
    """What users read must have been refreshed within the configured number of hours."""
    return dg.FreshnessPolicy.time_window(
        fail_window=dt.timedelta(hours=settings.freshness_hours),
        warn_window=dt.timedelta(hours=max(1, settings.freshness_hours - 2)),
    )
