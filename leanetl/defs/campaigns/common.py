"""Keys, partitions and addresses shared by the campaigns assets."""

from leanetl.defs.asset_keys import asset_keys

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
# (the outputs' collections: lib/campaigns/mongo_sync.py)
