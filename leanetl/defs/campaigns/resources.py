"""The campaigns domain's resources: Facebook's ads insights and the reach maps' store."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
from pydantic import Field

from leanetl.clients.facebook import GraphClient, InsightsError, graph_policy, insights, make_api
from leanetl.resources import object_store, secret
from leanetl.sample.campaigns import sample_insights
from leanetl.settings import Settings


@dataclass
class InsightsFetch:
    """Rows of one insights request and what it took to get them."""

    rows: list[dict[str, Any]]
    calls: int = 0
    retried: list[int] = field(default_factory=list)
    waited_seconds: float = 0.0
    used_async: bool = False


class FacebookInsightsResource(dg.ConfigurableResource):
    """Ads insights through the facebook-business SDK, or the deterministic sample locally.

    The token comes from EnvVar. ``sample`` is only ever set by the local environment without a
    token; production without a token fails on the first request instead of inventing numbers.
    """

    access_token: str = Field(default="", description="Marketing API token (EnvVar)")
    graph_url: str = "https://graph.facebook.com"
    sample: bool = False
    retries: int = 5
    backoff_seconds: float = 5.0
    usage_pause_percent: float = 90.0
    poll_seconds: float = 10.0
    max_polls: int = 90
    async_after_days: int = 14

    def fetch(
        self,
        account_id: str,
        params: dict[str, Any],
        catalog: Mapping[str, Mapping[str, str]],
    ) -> InsightsFetch:
        """Every row of ``params`` for ad account ``account_id`` (digits, without ``act_``).

        ``catalog`` (Facebook campaign id -> name, account and dates) only feeds the sample.
        """
        if self.sample:
            return InsightsFetch(sample_insights(params, catalog))
        if not self.access_token:
            raise InsightsError("LEANETL_FB_ACCESS_TOKEN is not set: no Graph API access")
        time_range = params.get("time_range") or {}
        days = (
            dt.date.fromisoformat(time_range["until"]) - dt.date.fromisoformat(time_range["since"])
        ).days + 1
        use_async = params.get("time_increment") == 1 and days > self.async_after_days
        client = GraphClient(
            make_api(self.access_token, self.graph_url),
            graph_policy(self.retries, self.backoff_seconds),
            usage_pause_percent=self.usage_pause_percent,
        )
        rows = insights(
            client,
            account_id,
            params,
            use_async=use_async,
            poll_seconds=self.poll_seconds,
            max_polls=self.max_polls,
        )
        return InsightsFetch(
            rows, client.calls, list(client.retried), client.waited_seconds, use_async
        )


def build_resources(settings: Settings) -> dict[str, Any]:
    found = settings.campaigns
    return {
        "facebook": FacebookInsightsResource(
            access_token=secret(settings, "LEANETL_FB_ACCESS_TOKEN"),
            graph_url=found.fb_graph_url,
            sample=found.sample_insights,
            async_after_days=found.fb_async_after_days,
            poll_seconds=found.fb_poll_seconds,
            backoff_seconds=found.fb_backoff_seconds,
        ),
        "maps": object_store(settings, found.maps_url),
    }
