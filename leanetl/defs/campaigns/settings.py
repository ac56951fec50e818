"""The campaigns domain's settings (read by ``leanetl/settings.py``, which finds them through ``DOMAIN``)."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from leanetl.domains import Domain

if TYPE_CHECKING:
    from leanetl.env_values import EnvValues
    from leanetl.settings import Settings


@dataclass(frozen=True)
class CampaignsSettings:
    fb_graph_url: str
    fb_async_after_days: int
    fb_poll_seconds: float
    fb_backoff_seconds: float
    # Only where the sample was asked for (LEANETL_SAMPLE_DATA) and no token is set does the
    # deterministic sample stand in for the Graph API.
    sample_insights: bool
    lookback_days: int
    cron: str
    quarantine_max_share: float
    conversion_actions: tuple[str, ...]
    maps_url: str
    maps_public_url: str
    browser_path: str

    @classmethod
    def read(cls, values: "EnvValues", core: "Settings") -> "CampaignsSettings":
        maps = values.text(
            "LEANETL_CAMPAIGN_MAPS_URL", default=f"{core.base_lake_url}/campaign-maps"
        )
        return cls(
            fb_graph_url=values.text("LEANETL_FB_GRAPH_URL").rstrip("/"),
            fb_async_after_days=values.integer("LEANETL_FB_ASYNC_AFTER_DAYS"),
            fb_poll_seconds=values.number("LEANETL_FB_POLL_SECONDS"),
            fb_backoff_seconds=values.number("LEANETL_FB_BACKOFF_SECONDS"),
            sample_insights=core.sample_data and not values.is_set("LEANETL_FB_ACCESS_TOKEN"),
            lookback_days=values.integer("LEANETL_CAMPAIGNS_LOOKBACK_DAYS", low=1, high=400),
            cron=values.text("LEANETL_CAMPAIGNS_CRON"),
            quarantine_max_share=values.share("LEANETL_CAMPAIGNS_QUARANTINE_MAX_SHARE"),
            conversion_actions=values.words("LEANETL_CONVERSION_ACTIONS"),
            maps_url=core.branched(maps),  # a branch writes its own maps
            maps_public_url=values.text("LEANETL_CAMPAIGN_MAPS_PUBLIC_URL").rstrip("/"),
            browser_path=values.text("BROWSER_PATH"),
        )


DOMAIN = Domain.of(__name__, order=3, read=CampaignsSettings.read, demo_job="campaigns_refresh")
