"""Keys and step builders shared by the Chatfuel assets."""

from leanetl.defs.asset_keys import asset_keys

DOMAIN = "chatfuel"
EXPORT_PREFIX = "users_export"
# The contacts pull: the exports dropped outside leanetl, and the users it reads from them.
CONTACTS_EXPORT, USERS, ATTRIBUTE_EVENTS, CONTACTS_QUARANTINE = asset_keys(
    DOMAIN, "contacts_export", "users", "attribute_events", "contacts_quarantine"
)
# The broadcasts pull: broadcasts with their audiences, the raw entries it keeps, segments.
BROADCASTS, BROADCAST_ENTRIES, USER_FILTERS, BROADCAST_RECIPIENTS, SEGMENTS = asset_keys(
    DOMAIN, "broadcasts", "broadcast_entries", "user_filters", "broadcast_recipients", "segments"
)
