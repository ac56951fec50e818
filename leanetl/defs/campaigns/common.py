"""Keys, partitions and addresses shared by the campaigns assets."""

from leanetl.defs.asset_keys import asset_keys
from leanetl.lib.keys import key_segment

DOMAIN = "campaigns"
# What a day reads from the platform's MongoDB, each source with its quarantine.
ACTIVE_CAMPAIGNS, CAMPAIGNS_QUARANTINE, CONTRIBUTIONS, CONTRIBUTIONS_QUARANTINE = asset_keys(
    DOMAIN, "active_campaigns", "campaigns_quarantine", "contributions", "contributions_quarantine"
)
# What it fetches from the Graph API, and which campaigns changed since their last write.
ADS_INSIGHTS, INSIGHTS_TOTALS, INSIGHTS_QUARANTINE, INSIGHTS_CHANGES = asset_keys(
    DOMAIN, "ads_insights", "ads_insights_totals", "insights_quarantine", "insights_changes"
)
# What it writes for the platform.
REACH_MAP, CAMPAIGN_STATS, EXPENDITURES, CANVASES = asset_keys(
    DOMAIN, "reach_map", "campaign_stats", "expenditures", "canvases"
)

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
