"""The leads domain's Dagster definitions: ``build_defs(settings)`` for any settings, and
the ``@dg.definitions`` that `dg` loads for this process's."""

import dagster as dg

from leanetl.defs.leads.answers import build_answers_asset
from leanetl.defs.leads.clean import build_clean_assets
from leanetl.defs.leads.common import DOMAIN
from leanetl.defs.leads.dashboard import build_dashboard_asset
from leanetl.defs.leads.sources import build_source_assets
from leanetl.defs.partitions import daily_schedule
from leanetl.defs.policies import domain_defs
from leanetl.settings import Settings
from leanetl.settings import settings as process_settings


def build_defs(settings: Settings) -> dg.Definitions:
    job = dg.define_asset_job(
        "leads_daily",
        selection=dg.AssetSelection.groups(DOMAIN),
        description="Read the sheet, clean and dedupe, answer the four questions, draw the dashboard.",
    )
    return dg.Definitions(
        assets=[
            *build_source_assets(settings),
            *build_clean_assets(settings),
            build_answers_asset(settings),
            build_dashboard_asset(settings),
        ],
        jobs=[job],
        schedules=[daily_schedule(job, settings.leads.cron, "leads_daily_schedule")],
    )


@dg.definitions
def leads() -> dg.Definitions:
    """What `dg` loads for the leads domain: its definitions for this process's settings."""
    return domain_defs(build_defs, process_settings())
