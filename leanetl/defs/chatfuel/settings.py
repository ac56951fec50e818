"""The Chatfuel domain's settings (read by ``leanetl/settings.py``, which finds them through ``DOMAIN``)."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from leanetl.domains import Domain

if TYPE_CHECKING:
    from leanetl.env_values import EnvValues
    from leanetl.settings import Settings

DOC: dict[str, tuple[str, str]] = {
    "LEANETL_CHATFUEL_TOKEN": (
        "",
        "secret: Chatfuel API token; set, users and attributes come from the API's contacts export "
        "and broadcasts from its flows; empty: exports dropped under the source URL (broadcasts need the API; the sample bot "
        "answers only with LEANETL_SAMPLE_DATA on)",
    ),
    "LEANETL_CHATFUEL_BOT_ID": ("", "the Chatfuel bot whose data is pulled (with the token)"),
    "LEANETL_CHATFUEL_GRAPHQL_URL": (
        "https://panel.chatfuel.com/graphql",
        "Chatfuel's GraphQL endpoint (a proxy, or the tests' fake)",
    ),
    "LEANETL_CHATFUEL_PLATFORMS": (
        "whatsapp",
        "platforms whose contacts are pulled (comma-separated)",
    ),
    "LEANETL_CHATFUEL_POLL_SECONDS": ("10", "seconds between polls of a contacts export task"),
    "LEANETL_CHATFUEL_MAX_POLLS": (
        "90",
        "polls of an export task before the pull pages through contacts instead",
    ),
    "LEANETL_CHATFUEL_BACKOFF_SECONDS": (
        "2",
        "first wait after a throttled or transient Chatfuel error (doubles, 5 retries)",
    ),
    "LEANETL_CHATFUEL_MAX_WAIT_SECONDS": (
        "300",
        "longest wait between two tries of a Chatfuel call (a longer Retry-After is cut to it)",
    ),
    "LEANETL_CHATFUEL_CALL_SECONDS": (
        "120",
        "longest one HTTP call to Chatfuel may take, connecting to its last byte (then retried)",
    ),
    "LEANETL_CHATFUEL_DEADLINE_SECONDS": (
        "7200",
        "longest a day's pull from Chatfuel's API may take in all (retries and polls included); "
        "past it the step fails, writing nothing",
    ),
    "LEANETL_CHATFUEL_ENTRIES_URL": (
        "$LEANETL_LAKE_URL/chatfuel/broadcast_entries",
        "where each broadcast's message is kept as JSON: directory, s3:// or gs://",
    ),
    "LEANETL_CHATFUEL_SOURCE_URL": (
        "$LEANETL_HOME/sources/chatfuel",
        "where Chatfuel contacts exports are dropped (users_export*.csv): directory, s3:// or "
        "gs:// (prod default <lake>/sources/chatfuel)",
    ),
    "LEANETL_CHATFUEL_CRON": ("30 0 * * *", "when the Chatfuel pull runs (cron, local time)"),
    "LEANETL_CHATFUEL_QUARANTINE_MAX_SHARE": (
        "0.01",
        "largest share of export rows that may be quarantined before the check warns",
    ),
}


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


DOMAIN = Domain.of(
    __name__, order=5, doc=DOC, read=ChatfuelSettings.read, demo_job="chatfuel_daily"
)
