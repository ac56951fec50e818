"""The Chatfuel domain's Dagster definitions: ``build_defs(settings)`` for any settings, and the
``@dg.definitions`` that `dg` loads for this process's."""

import dagster as dg

from leanetl.defs.chatfuel.broadcasts import build_broadcasts_asset
from leanetl.defs.chatfuel.common import CONTACTS_EXPORT, DOMAIN
from leanetl.defs.chatfuel.contacts import build_contacts_asset
from leanetl.defs.chatfuel.dashboard import build_dashboard_asset
from leanetl.defs.dbt import build_domain_dbt_assets
from leanetl.defs.partitions import as_of_vars, daily_partitions, daily_schedule
from leanetl.defs.policies import domain_defs
from leanetl.settings import Settings
from leanetl.settings import settings as process_settings


def build_defs(settings: Settings) -> dg.Definitions:
    export = dg.AssetSpec(
        CONTACTS_EXPORT,
        group_name=DOMAIN,
        description=(
            "Chatfuel contacts exports (users_export*.csv, one row per user, a column per "
            f"attribute) dropped under {settings.chatfuel.source_url}; the pull day reads the "
            "newest one dated on or before it."
        ),
        kinds={"csv"},
        tags={"layer": "raw"},
    )
    job = dg.define_asset_job(
        "chatfuel_daily",
        selection=dg.AssetSelection.groups(DOMAIN) - dg.AssetSelection.assets(CONTACTS_EXPORT),
        description="Pull the bot's users, attributes and broadcasts for a day, then build its "
        "models and dashboard.",
    )
    return dg.Definitions(
        assets=[
            export,
            build_contacts_asset(settings),
            build_broadcasts_asset(settings),
            build_domain_dbt_assets(
                DOMAIN,
                settings,
                daily_partitions(settings),
                lambda days: as_of_vars(days, settings.timezone),
            ),
            build_dashboard_asset(settings),
        ],
        jobs=[job],
        schedules=[daily_schedule(job, settings.chatfuel.cron, "chatfuel_daily_schedule")],
    )


@dg.definitions
def chatfuel() -> dg.Definitions:
    """What `dg` loads for the Chatfuel domain: its definitions for this process's settings."""
    return domain_defs(build_defs, process_settings())
