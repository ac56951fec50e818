"""The volunteers domain's Dagster definitions: ``build_defs(settings)`` for any settings, and
the ``@dg.definitions`` that `dg` loads for this process's."""

import dagster as dg

from leanetl.defs.policies import domain_defs
from leanetl.defs.volunteers.assets import (
    build_local_signups_asset,
    build_prod_signups_spec,
    build_volunteers_dbt_assets,
)
from leanetl.defs.volunteers.dashboard import build_dashboard_asset
from leanetl.defs.volunteers.schedules import build_volunteers_job, build_volunteers_schedule
from leanetl.settings import Settings
from leanetl.settings import settings as process_settings


def build_defs(settings: Settings) -> dg.Definitions:
    source = (
        build_local_signups_asset(settings)
        if settings.is_local
        else build_prod_signups_spec(settings)
    )
    job = build_volunteers_job(settings)
    return dg.Definitions(
        assets=[source, build_volunteers_dbt_assets(settings), build_dashboard_asset(settings)],
        jobs=[job],
        schedules=[build_volunteers_schedule(settings, job)],
    )


@dg.definitions
def volunteers() -> dg.Definitions:
    """What `dg` loads for the volunteers domain: its definitions for this process's settings."""
    return domain_defs(build_defs, process_settings())
