"""Keys, partitions and addresses shared by the campaigns assets."""

import dagster as dg

from leanetl.lib.keys import key_segment

DOMAIN = "campaigns"
ACTIVE_CAMPAIGNS = dg.AssetKey([DOMAIN, "active_campaigns"])
CAMPAIGNS_QUARANTINE = dg.AssetKey([DOMAIN, "campaigns_quarantine"])
CONTRIBUTIONS = dg.AssetKey([DOMAIN, "contributions"])
CONTRIBUTIONS_QUARANTINE = dg.AssetKey([DOMAIN, "contributions_quarantine"])
ADS_INSIGHTS = dg.AssetKey([DOMAIN, "ads_insights"])
INSIGHTS_TOTALS = dg.AssetKey([DOMAIN, "ads_insights_totals"])
INSIGHTS_QUARANTINE = dg.AssetKey([DOMAIN, "insights_quarantine"])
INSIGHTS_CHANGES = dg.AssetKey([DOMAIN, "insights_changes"])
REACH_MAP = dg.AssetKey([DOMAIN, "reach_map"])
CAMPAIGN_STATS = dg.AssetKey([DOMAIN, "campaign_stats"])
EXPENDITURES = dg.AssetKey([DOMAIN, "expenditures"])
CANVASES = dg.AssetKey([DOMAIN, "canvases"])

# Mongo collections: the platform's, leanetl's outputs, and what was last written per campaign.
CAMPAIGNS_COLLECTION = "campaigns"
CONTRIBUTIONS_COLLECTION = "contributions"
EXPENDITURES_COLLECTION = "expenditures"
CANVASES_COLLECTION = "canvases"
SYNC_COLLECTION = "_leanetl_sync"


def map_key(campaign_id: str, suffix: str = "html") -> str:
    """Where a campaign's reach map lives in the maps store (one current map per campaign).

    Campaign ids come from MongoDB: one that is not a plain key segment is refused here (the
    Campaign model already quarantines such documents)."""
    return f"reach-maps/{key_segment(campaign_id, 'campaign _id')}/reach_map.{suffix}"
