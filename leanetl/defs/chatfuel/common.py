"""Keys shared by the Chatfuel assets."""

from typing import Any

import dagster as dg

from leanetl.defs.partitions import ONE_DAY_PER_RUN, daily_partitions, retry_policy
from leanetl.settings import Settings

DOMAIN = "chatfuel"
CONTACTS_EXPORT = dg.AssetKey([DOMAIN, "contacts_export"])
USERS = dg.AssetKey([DOMAIN, "users"])
ATTRIBUTE_EVENTS = dg.AssetKey([DOMAIN, "attribute_events"])
CONTACTS_QUARANTINE = dg.AssetKey([DOMAIN, "contacts_quarantine"])
EXPORT_PREFIX = "users_export"
BROADCASTS = dg.AssetKey([DOMAIN, "broadcasts"])
BROADCAST_ENTRIES = dg.AssetKey([DOMAIN, "broadcast_entries"])
USER_FILTERS = dg.AssetKey([DOMAIN, "user_filters"])
BROADCAST_RECIPIENTS = dg.AssetKey([DOMAIN, "broadcast_recipients"])
SEGMENTS = dg.AssetKey([DOMAIN, "segments"])


def chatfuel_step(settings: Settings, name: str, **spec: Any) -> Any:
    """``dg.multi_asset`` of a Chatfuel step: daily partitions (the pull day), one day per run,
    retries, and all of its tables written together (no subsets)."""
    return dg.multi_asset(
        name=name,
        partitions_def=daily_partitions(settings),
        backfill_policy=ONE_DAY_PER_RUN,
        retry_policy=retry_policy(settings),
        can_subset=False,
        **spec,
    )
