"""The Chatfuel domain's settings (read by ``leanetl/settings.py``, which finds them through ``DOMAIN``)."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from leanetl.domains import Domain

if TYPE_CHECKING:
    from leanetl.env_values import EnvValues
    from leanetl.settings import Settings


@dataclass(frozen=True)
class ChatfuelSettings:
    source_url: str
    cron: str
    quarantine_max_share: float
    # With a token the API is the source; without one, dropped exports (and, where the sample
    # was asked for, the sample bot for broadcasts).
    use_api: bool
    sample_api: bool
    bot_id: str
    graphql_url: str
    platforms: tuple[str, ...]
    poll_seconds: float
    max_polls: int
    backoff_seconds: float
    max_wait_seconds: float
    call_seconds: float
    deadline_seconds: float
    entries_url: str

    @classmethod
    def read(cls, values: "EnvValues", core: "Settings") -> "ChatfuelSettings":
        entries = f"{core.base_lake_url}/chatfuel/broadcast_entries"
        use_api = values.is_set("LEANETL_CHATFUEL_TOKEN")
        return cls(
            use_api=use_api,
            sample_api=core.sample_data and not use_api,
            bot_id=values.text("LEANETL_CHATFUEL_BOT_ID"),
            graphql_url=values.text("LEANETL_CHATFUEL_GRAPHQL_URL"),
            platforms=values.words("LEANETL_CHATFUEL_PLATFORMS"),
            poll_seconds=values.number("LEANETL_CHATFUEL_POLL_SECONDS"),
            max_polls=values.integer("LEANETL_CHATFUEL_MAX_POLLS", low=1, high=10_000),
            backoff_seconds=values.number("LEANETL_CHATFUEL_BACKOFF_SECONDS"),
            max_wait_seconds=values.number("LEANETL_CHATFUEL_MAX_WAIT_SECONDS"),
            call_seconds=values.number("LEANETL_CHATFUEL_CALL_SECONDS"),
            deadline_seconds=values.number("LEANETL_CHATFUEL_DEADLINE_SECONDS"),
            # A branch reads prod's exports and writes its own broadcast messages.
            entries_url=core.branched(values.text("LEANETL_CHATFUEL_ENTRIES_URL", default=entries)),
            source_url=values.text(
                "LEANETL_CHATFUEL_SOURCE_URL", default=core.sources_url("chatfuel")
            ),
            cron=values.text("LEANETL_CHATFUEL_CRON"),
            quarantine_max_share=values.share("LEANETL_CHATFUEL_QUARANTINE_MAX_SHARE"),
        )


DOMAIN = Domain.of(__name__, order=5, read=ChatfuelSettings.read, demo_job="chatfuel_daily")
