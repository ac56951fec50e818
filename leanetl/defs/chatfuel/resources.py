"""The Chatfuel domain's resources: the bot's API, its dropped exports, broadcast messages."""

import datetime as dt
import time
from typing import Any

import dagster as dg
from pydantic import Field

from leanetl.clients.chatfuel import ChatfuelClient, ChatfuelError
from leanetl.clients.chatfuel_http import Reply, http_transport
from leanetl.resources import object_store, secret
from leanetl.sample.chatfuel_api import SampleBot
from leanetl.settings import Settings

# The API's timing settings, the same names in the settings and on the resource.
TIMING = (
    "backoff_seconds",
    "poll_seconds",
    "max_polls",
    "max_wait_seconds",
    "call_seconds",
    "deadline_seconds",
)


class ChatfuelResource(dg.ConfigurableResource):
    """A Chatfuel bot's GraphQL API (token from EnvVar), or the sample bot (``sample``: local
    runs without a token)."""

    token: str = Field(default="", description="Chatfuel API token")
    graphql_url: str = "https://panel.chatfuel.com/graphql"
    bot_id: str = ""
    platforms: list[str] = ["whatsapp"]
    backoff_seconds: float = Field(default=2.0, description="first wait before a retry (doubles)")
    poll_seconds: float = Field(default=10.0, description="wait between polls of the export task")
    max_polls: int = Field(default=90, description="polls of the export task before the pages")
    max_wait_seconds: float = Field(default=300.0, description="longest wait before a retry")
    call_seconds: float = Field(default=120.0, description="timeout of one API call")
    deadline_seconds: float = Field(default=7200.0, description="the whole pull's time limit")
    sample: bool = False

    @property
    def configured(self) -> bool:
        return self.sample or bool(self.token)

    def client(self, day: dt.date) -> ChatfuelClient:
        """A client for the bot; the sample bot stands as it was at the end of ``day``."""
        if self.sample:
            bot = SampleBot(day)

            def transport(payload: dict[str, Any]) -> Reply:
                return 200, bot.execute(payload), {}

        elif not self.token:
            raise ChatfuelError("no Chatfuel token (LEANETL_CHATFUEL_TOKEN) is set")
        elif not self.bot_id:
            raise ChatfuelError("LEANETL_CHATFUEL_BOT_ID is not set")
        else:
            transport = http_transport(self.graphql_url, self.token, self.call_seconds)
        return ChatfuelClient(
            transport=transport,
            bot_id=self.bot_id or "sample",
            platforms=tuple(self.platforms),
            backoff_seconds=self.backoff_seconds,
            max_wait_seconds=self.max_wait_seconds,
            deadline=time.monotonic() + self.deadline_seconds,
        )


def build_resources(settings: Settings) -> dict[str, Any]:
    found = settings.chatfuel
    api = ChatfuelResource(
        token=secret(settings, "LEANETL_CHATFUEL_TOKEN"),
        graphql_url=found.graphql_url,
        bot_id=found.bot_id,
        platforms=list(found.platforms),
        **{name: getattr(found, name) for name in TIMING},
        sample=found.sample_api,
    )
    # The exports dropped outside leanetl (read only), the broadcasts' message documents.
    stores = {"chatfuel_source": found.source_url, "chatfuel_entries": found.entries_url}
    return {"chatfuel": api, **{name: object_store(settings, url) for name, url in stores.items()}}
