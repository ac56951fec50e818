"""The Chatfuel domain's settings (how they are read: ``leanetl/settings.py``)."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leanetl.settings import EnvValues

DOC: dict[str, tuple[str, str]] = {
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

    @classmethod
    def read(cls, values: "EnvValues", sources_default: str) -> "ChatfuelSettings":
        return cls(
            source_url=values.text("LEANETL_CHATFUEL_SOURCE_URL", default=sources_default),
            cron=values.text("LEANETL_CHATFUEL_CRON"),
            quarantine_max_share=values.share("LEANETL_CHATFUEL_QUARANTINE_MAX_SHARE"),
        )
