"""Keys shared by the Chatfuel assets."""

import dagster as dg

DOMAIN = "chatfuel"
CONTACTS_EXPORT = dg.AssetKey([DOMAIN, "contacts_export"])
USERS = dg.AssetKey([DOMAIN, "users"])
ATTRIBUTE_EVENTS = dg.AssetKey([DOMAIN, "attribute_events"])
CONTACTS_QUARANTINE = dg.AssetKey([DOMAIN, "contacts_quarantine"])
EXPORT_PREFIX = "users_export"
