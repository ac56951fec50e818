"""Keys and step builders shared by the Chatfuel assets."""

import dagster as dg

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


def raw_spec(
    key: dg.AssetKey,
    description: str,
    deps: list[dg.AssetKey],
    kinds: frozenset[str] = frozenset({"duckdb", "bigquery"}),
) -> dg.AssetSpec:
    """A raw table (or document set) a pull writes, one slice per pull day."""
    return dg.AssetSpec(
        key,
        deps=deps,
        group_name=DOMAIN,
        description=description,
        kinds=set(kinds),
        tags={"layer": "raw"},
    )
