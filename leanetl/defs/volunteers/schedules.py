"""The volunteers job and its daily schedule."""

import dagster as dg

from leanetl.defs.partitions import AssetJob, daily_schedule
from leanetl.settings import Settings


def build_volunteers_job(settings: Settings) -> AssetJob:
    return dg.define_asset_job(
        "volunteers_daily",
        selection=dg.AssetSelection.groups("volunteers"),
        description="Load sign-ups, rebuild the flake-rate models and the dashboard for a day.",
    )


def build_volunteers_schedule(settings: Settings, job: AssetJob) -> dg.ScheduleDefinition:
    """Every day at ``LEANETL_VOLUNTEERS_CRON`` (local time) for the day that just ended."""
    return daily_schedule(job, settings.volunteers.cron, "volunteers_daily_schedule")
