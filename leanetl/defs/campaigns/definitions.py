"""The campaigns domain's Dagster definitions: ``build_defs(settings)`` for any settings, and
the ``@dg.definitions`` that `dg` loads for this process's."""

import dagster as dg

from leanetl.defs.campaigns.common import DOMAIN
from leanetl.defs.campaigns.dashboard import build_dashboard_asset
from leanetl.defs.campaigns.insights import build_insights_assets
from leanetl.defs.campaigns.mongo_outputs import build_canvases, build_expenditures
from leanetl.defs.campaigns.outputs import build_campaign_stats_asset
from leanetl.defs.campaigns.reach_map import build_reach_map
from leanetl.defs.campaigns.sensors import build_active_campaigns_sensor
from leanetl.defs.campaigns.sources import build_source_assets
from leanetl.defs.partitions import intraday_schedule
from leanetl.defs.policies import loaded_by_dg
from leanetl.defs.specs import domain_job
from leanetl.settings import Settings


def build_defs(settings: Settings) -> dg.Definitions:
    job = domain_job(
        "campaigns_refresh",
        DOMAIN,
        "Read campaigns and contributions, fetch ads insights, and rewrite the map, stats, "
        "expenditures and canvases of the campaigns whose insights changed.",
    )
    return dg.Definitions(
        assets=[
            *build_source_assets(settings),
            *build_insights_assets(settings),
            build_reach_map(settings),
            build_campaign_stats_asset(settings),
            build_expenditures(settings),
            build_canvases(settings),
            build_dashboard_asset(settings),
        ],
        jobs=[job],
        schedules=[
            intraday_schedule(
                job, settings.campaigns.cron, "campaigns_refresh_schedule", settings.timezone
            )
        ],
        sensors=[build_active_campaigns_sensor(settings, job)],
    )


# What `dg` loads: the domain's definitions for this process's settings.
campaigns = loaded_by_dg(build_defs)
