"""The leads domain's Dagster definitions: ``build_defs(settings)`` for any settings, and
the ``@dg.definitions`` that `dg` loads for this process's."""

import dagster as dg

from leanetl.defs.leads.answers import build_answers_asset
from leanetl.defs.leads.clean import build_clean_assets
from leanetl.defs.leads.common import DOMAIN
from leanetl.defs.leads.dashboard import build_dashboard_asset
from leanetl.defs.leads.sources import build_source_assets
from leanetl.defs.partitions import daily_schedule
from leanetl.defs.policies import loaded_by_dg
from leanetl.defs.specs import domain_job
from leanetl.settings import Settings


def build_defs(settings: Settings) -> dg.Definitions:
    job = domain_job(
        "leads_daily",
        DOMAIN,
        "Read the sheet, clean and dedupe, answer the four questions, draw the dashboard.",
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


# What `dg` loads: the domain's definitions for this process's settings.
leads = loaded_by_dg(build_defs)
