"""The volunteers domain's Dagster definitions: ``build_defs(settings)`` for any settings, and
the ``@dg.definitions`` that `dg` loads for this process's."""

import dagster as dg

from leanetl.defs.partitions import daily_schedule
from leanetl.defs.policies import loaded_by_dg
from leanetl.defs.specs import domain_job
from leanetl.defs.volunteers.assets import (
    build_local_signups_asset,
    build_prod_signups_spec,
    build_volunteers_dbt_assets,
)
from leanetl.defs.volunteers.common import DOMAIN
from leanetl.defs.volunteers.dashboard import build_dashboard_asset
from leanetl.settings import Settings


def build_defs(settings: Settings) -> dg.Definitions:
    source = (
        build_local_signups_asset(settings)
        if settings.is_local
        else build_prod_signups_spec(settings)
    )
    job = domain_job(
        "volunteers_daily",
        DOMAIN,
        "Load sign-ups, rebuild the flake-rate models and the dashboard for a day.",
    )
    return dg.Definitions(
        assets=[source, build_volunteers_dbt_assets(settings), build_dashboard_asset(settings)],
        jobs=[job],
        # Every day at LEANETL_VOLUNTEERS_CRON (local time) for the day that just ended.
        schedules=[daily_schedule(job, settings.volunteers.cron, "volunteers_daily_schedule")],
    )


# What `dg` loads: the domain's definitions for this process's settings.
volunteers = loaded_by_dg(build_defs)
