"""Where each campaign's reach map lives in the maps store (``LEANETL_CAMPAIGN_MAPS_URL``): one
current map per campaign, as HTML and, where a browser drew it, PNG."""

from collections.abc import Mapping

from leanetl.lib.keys import key_segment
from leanetl.lib.stores import Objects


def map_key(campaign_id: str, suffix: str = "html") -> str:
    """The campaign's map. Campaign ids come from MongoDB: one that is not a plain key segment
    is refused here (the Campaign model already quarantines such documents)."""
    return f"reach-maps/{key_segment(campaign_id, 'campaign _id')}/reach_map.{suffix}"


def write_maps(maps: Objects, pages: Mapping[str, str], images: Mapping[str, bytes]) -> None:
    """Each campaign's map page (campaign id -> HTML) and its image where there is one."""
    for campaign_id, page in pages.items():
        maps.put_bytes(map_key(campaign_id), page.encode(), content_type="text/html")
        if campaign_id in images:
            maps.put_bytes(
                map_key(campaign_id, "png"), images[campaign_id], content_type="image/png"
            )
