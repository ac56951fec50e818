"""The campaigns domain's settings (read by ``leanetl/settings.py``, which finds them through ``DOMAIN``)."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from leanetl.domains import Domain

if TYPE_CHECKING:
    from leanetl.env_values import EnvValues
    from leanetl.settings import Settings

DOC: dict[str, tuple[str, str]] = {
    "LEANETL_FB_ACCESS_TOKEN": (
        "",
        "secret: Facebook Marketing API token (system user); empty: no Graph API access (the sample insights with LEANETL_SAMPLE_DATA on)",
    ),
    "LEANETL_FB_GRAPH_URL": (
        "https://graph.facebook.com",
        "Graph API base URL (a proxy, or the tests' fake)",
    ),
    "LEANETL_FB_ASYNC_AFTER_DAYS": (
        "14",
        "daily insights requests longer than this many days run as async report runs",
    ),
    "LEANETL_FB_POLL_SECONDS": ("10", "seconds between polls of an async report run (at most 90)"),
    "LEANETL_FB_BACKOFF_SECONDS": (
        "5",
        "first wait after a throttling or transient Graph API error (doubles, 5 retries)",
    ),
    "LEANETL_CAMPAIGNS_LOOKBACK_DAYS": (
        "28",
        "days of insights re-fetched on every run (late attribution)",
    ),
    "LEANETL_CAMPAIGNS_CRON": (
        "0 */6 * * *",
        "when the campaigns schedule runs for today's partition (cron, local time)",
    ),
    "LEANETL_CAMPAIGNS_QUARANTINE_MAX_SHARE": (
        "0.2",
        "largest share of campaign or contribution documents, or of insights rows, that may be "
        "quarantined before the check warns (a collection of a dozen campaigns with one bad "
        "draft is 8 %)",
    ),
    "LEANETL_CONVERSION_ACTIONS": (
        "offsite_conversion.fb_pixel_purchase,offsite_conversion.fb_pixel_lead,lead,"
        "onsite_conversion.lead_grouped",
        "Graph API action types counted as conversions (comma-separated)",
    ),
    "LEANETL_CAMPAIGN_MAPS_URL": (
        "$LEANETL_LAKE_URL/campaign-maps",
        "where reach maps are uploaded: a directory, gs://bucket/prefix or s3://bucket/prefix",
    ),
    "LEANETL_CAMPAIGN_MAPS_PUBLIC_URL": (
        "",
        "base URL contributors open maps at (e.g. https://storage.googleapis.com/bucket/prefix); "
        "empty: the store's own URL",
    ),
    "BROWSER_PATH": (
        "",
        "Chrome/Chromium executable that draws the maps' PNGs; empty: the first of chromium, "
        "chromium-browser, google-chrome, chrome on PATH",
    ),
}


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


DOMAIN = Domain.of(
    __name__, order=3, doc=DOC, read=CampaignsSettings.read, demo_job="campaigns_refresh"
)
