"""Keys shared by the volunteers assets."""

import dagster as dg

DOMAIN = "volunteers"
SIGNUPS = dg.AssetKey([DOMAIN, "event_signups"])
SIGNUPS_QUARANTINE = dg.AssetKey([DOMAIN, "event_signups_quarantine"])
