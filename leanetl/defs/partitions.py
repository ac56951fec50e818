"""The daily partitions, schedules and retry policy every domain shares."""

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo

import dagster as dg

from leanetl.defs.ranges import RANGE_PER_RUN, per_day
from leanetl.lib.calendar import day_end_utc
from leanetl.settings import Settings

# What dg.define_asset_job returns: its class is not part of Dagster's public API.
AssetJob: TypeAlias = Any


def daily_partitions(
    settings: Settings, include_today: bool = False, timezone: str | None = None
) -> dg.DailyPartitionsDefinition:
    """Local days in the configured timezone (or ``timezone``), from the configured start date.

    ``include_today`` adds the day in progress, for domains that refresh it during the day.
    """
    return dg.DailyPartitionsDefinition(
        start_date=settings.start_date.isoformat(),
        timezone=timezone or settings.timezone,
        end_offset=1 if include_today else 0,
    )


def partition_day(context: dg.AssetExecutionContext) -> dt.date:
    return dt.date.fromisoformat(context.partition_key)


def as_of_vars(days: list[dt.date], timezone: str) -> dict[str, Any]:
    """dbt vars for a run's partition days (consecutive, oldest first): the range and the UTC
    instant each local day ends."""
    return {
        "as_of_start": days[0].isoformat(),
        "as_of_end": days[-1].isoformat(),
        "as_of_cutoffs_utc": {
            d.isoformat(): day_end_utc(d, timezone).strftime("%Y-%m-%d %H:%M:%S") for d in days
        },
    }


def out_freshness(settings: Settings) -> dg.FreshnessPolicy:
    """What users read must have been refreshed within the configured number of hours."""
    return dg.FreshnessPolicy.time_window(
        fail_window=dt.timedelta(hours=settings.freshness_hours),
        warn_window=dt.timedelta(hours=max(1, settings.freshness_hours - 2)),
    )


def daily_schedule(job: AssetJob, cron: str, name: str) -> dg.ScheduleDefinition:
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


def retry_policy(settings: Settings) -> dg.RetryPolicy:
    """Retries for steps that talk to outside systems: exponential backoff with jitter."""
    return dg.RetryPolicy(
        max_retries=settings.retries,
        delay=settings.retry_delay_seconds,
        backoff=dg.Backoff.EXPONENTIAL,
        jitter=dg.Jitter.PLUS_MINUS,
    )


def intraday_schedule(job: AssetJob, cron: str, name: str, timezone: str) -> dg.ScheduleDefinition:
    """Run ``job`` at every ``cron`` tick (local time) for the partition of the day in progress."""
    if len(cron.split()) != 5:
        raise ValueError(f"{name}: {cron!r} is not a five-field cron expression")

    @dg.schedule(
        job=job,
        cron_schedule=cron,
        execution_timezone=timezone,
        name=name,
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
    def _schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        tick = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
        day = tick.astimezone(ZoneInfo(timezone)).date().isoformat()
        return dg.RunRequest(run_key=f"{day}@{tick.isoformat()}", partition_key=day)

    return _schedule


def _domain_of(spec: dict[str, Any]) -> str | None:
    """The first part of the step's asset keys (every asset's group is its domain)."""
    assets = [*spec.get("outs", {}).values(), *spec.get("specs", [])]
    if any(each.group_name for each in assets):
        return None  # the specs name their group themselves
    domains = {each.key.path[0] for each in assets if each.key is not None}
    return domains.pop() if len(domains) == 1 else None


def daily_step(
    settings: Settings,
    name: str,
    include_today: bool = False,
    timezone: str | None = None,
    retries: bool = True,
    outer: Callable[[Callable[..., Any]], Callable[..., Any]] | None = None,
    **spec: Any,
) -> Any:
    """The one declaration of a daily step (every domain's, ``dg.multi_asset`` underneath): the
        day's partition (today's too with ``include_today``; days of ``timezone``, else the
        configured one), a backfill as one run (the body runs per day: ``per_day``), and retries
        with backoff (``retries=False`` for a step that reads nothing outside: a retry could only
        fail the same way). ``outer`` wraps the whole run's body (a browser opened once for a
    range). ``spec``: the step's specs or outs, checks, group, pool, kinds."""
    decorator = dg.multi_asset(
        name=name,
        partitions_def=daily_partitions(settings, include_today, timezone),
        backfill_policy=RANGE_PER_RUN,
        retry_policy=retry_policy(settings) if retries else None,
        **({"group_name": _domain_of(spec)} | spec),
    )
    if outer is None:
        return lambda body: decorator(per_day(body))
    return lambda body: decorator(outer(per_day(body)))
