"""The volunteers job and its daily schedule."""

import dagster as dg
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from leanetl.defs.partitions import daily_partitions
from leanetl.settings import Settings


def build_volunteers_job(settings: Settings) -> UnresolvedAssetJobDefinition:
    return dg.define_asset_job(
        "volunteers_daily",
        selection=dg.AssetSelection.groups("volunteers"),
        partitions_def=daily_partitions(settings),
        description="Load sign-ups, rebuild the flake-rate models and the dashboard for a day.",
    )


def build_volunteers_schedule(
    settings: Settings, job: UnresolvedAssetJobDefinition
) -> dg.ScheduleDefinition:
    """Every day at ``LEANETL_VOLUNTEERS_CRON`` (local time) for the day that just ended."""
    cron = settings.volunteers_cron.split()
    return dg.build_schedule_from_partitioned_job(
        job,
        hour_of_day=int(cron[1]),
        minute_of_hour=int(cron[0]),
        name="volunteers_daily_schedule",
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
