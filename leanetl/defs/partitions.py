"""The daily partitions every domain shares."""

import datetime as dt

import dagster as dg
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from leanetl.lib.calendar import day_end_utc
from leanetl.settings import Settings

# Every partitioned asset runs one day per run (dbt gets its day from vars): one policy for all,
# so that jobs mixing dbt and Python assets have a single backfill policy.
ONE_DAY_PER_RUN = dg.BackfillPolicy.multi_run(max_partitions_per_run=1)


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


def daily_schedule(
    job: UnresolvedAssetJobDefinition, cron: str, name: str
) -> dg.ScheduleDefinition:
    """Run ``job`` daily at ``cron``'s minute and hour (local time) for the day that just ended."""
    fields = cron.split()
    if (
        len(fields) != 5
        or fields[2:] != ["*", "*", "*"]
        or not all(f.isdigit() for f in fields[:2])
    ):
        raise ValueError(f"{name}: {cron!r} must be a daily cron 'M H * * *'")
    return dg.build_schedule_from_partitioned_job(
        job,
        hour_of_day=int(fields[1]),
        minute_of_hour=int(fields[0]),
        name=name,
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
