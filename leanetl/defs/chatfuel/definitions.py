"""The Chatfuel domain's Dagster definitions: ``build_defs(settings)`` for any settings, and the
``@dg.definitions`` that `dg` loads for this process's."""

import dagster as dg

from leanetl.defs.chatfuel.broadcasts import build_broadcasts_asset
from leanetl.defs.chatfuel.common import CONTACTS_EXPORT, DOMAIN
from leanetl.defs.chatfuel.contacts import build_contacts_asset
from leanetl.defs.chatfuel.dashboard import build_dashboard_asset
from leanetl.defs.dbt import build_domain_dbt_assets
from leanetl.defs.partitions import as_of_vars, daily_partitions, daily_schedule
from leanetl.defs.policies import loaded_by_dg
from leanetl.defs.specs import domain_job, raw_spec
from leanetl.settings import Settings


def build_defs(settings: Settings) -> dg.Definitions:
    export = raw_spec(
        CONTACTS_EXPORT,
        "Chatfuel contacts exports (users_export*.csv, one row per user, a column per "
        f"attribute) dropped under {settings.chatfuel.source_url}; the pull day reads the "
        "newest one dated on or before it.",
        kinds={"csv"},
    )
    job = domain_job(
        "chatfuel_daily",
        DOMAIN,
        "Pull the bot's users, attributes and broadcasts for a day, then build its models and "
        "dashboard.",
        outside=CONTACTS_EXPORT,
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


# What `dg` loads: the domain's definitions for this process's settings.
chatfuel = loaded_by_dg(build_defs)
