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
from leanetl.defs.policies import domain_defs
from leanetl.settings import Settings
from leanetl.settings import settings as process_settings


def build_defs(settings: Settings) -> dg.Definitions:
    job = dg.define_asset_job(
        "campaigns_refresh",
        selection=dg.AssetSelection.groups(DOMAIN),
        description=(
            "Read campaigns and contributions, fetch ads insights, and rewrite the map, stats, "
            "expenditures and canvases of the campaigns whose insights changed."
        ),
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


@dg.definitions
def campaigns() -> dg.Definitions:
    """What `dg` loads for the campaigns domain: its definitions for this process's settings."""
    return domain_defs(build_defs, process_settings())
