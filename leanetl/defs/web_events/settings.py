"""The web events domain's settings (read by ``leanetl/settings.py``, which finds them through ``DOMAIN``)."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from leanetl.domains import Domain

if TYPE_CHECKING:
    from leanetl.env_values import EnvValues
    from leanetl.settings import Settings

DOC: dict[str, tuple[str, str]] = {
    "LEANETL_WEB_EVENTS_RAW_URL": (
        "$LEANETL_LAKE_URL/web-data/raw",
        "where Firehose lands the Segment objects (YYYY/MM/DD/HH/<stream>-… keys, UTC): a "
        "directory, s3://bucket/web-data/raw or gs://…",
    ),
    "LEANETL_WEB_EVENTS_URL": (
        "$LEANETL_LAKE_URL/web-data",
        "root of transformed/<table>/dt=<day>/, errors/dt=<day>/ and manifests/",
    ),
    "LEANETL_WEB_EVENTS_SENSOR_SECONDS": (
        "120",
        "how often the web_events_new_objects sensor lists the raw objects",
    ),
    "LEANETL_WEB_EVENTS_LOOKBACK_DAYS": (
        "2",
        "day prefixes before the newest seen that the sensor lists again (objects that land late "
        "under an earlier prefix); events timestamped more days before their arrival are counted",
    ),
    "LEANETL_WEB_EVENTS_QUARANTINE_MAX_SHARE": (
        "0.01",
        "largest share of records dead-lettered before the check warns",
    ),
    "LEANETL_WEB_EVENTS_MAX_OBJECT_MB": (
        "512",
        "largest size one raw object may have once inflated (MiB); a larger one is dead-lettered "
        "whole and the day goes on",
    ),
    "LEANETL_WEB_EVENTS_MAX_EVENT_TABLES": (
        "500",
        "most tables of track events (one per event name); calls of a new event name beyond it "
        "go to the table other_events, their properties as JSON text (every call stays in tracks)",
    ),
    "LEANETL_WEB_EVENTS_GLUE_DATABASE": (
        "",
        "AWS Glue database of the tables Athena queries (empty: no Glue catalog; the transformed "
        "root must then be local, for the DuckDB views)",
    ),
    "LEANETL_GLUE_ENDPOINT_URL": ("", "Glue endpoint (moto in tests); empty for AWS"),
}


@dataclass(frozen=True)
class WebEventsSettings:
    raw_url: str
    url: str
    sensor_seconds: int
    lookback_days: int
    quarantine_max_share: float
    max_object_bytes: int
    max_event_tables: int
    glue_database: str
    glue_endpoint_url: str

    @classmethod
    def read(cls, values: "EnvValues", core: "Settings") -> "WebEventsSettings":
        lake = core.base_lake_url
        glue = values.text("LEANETL_WEB_EVENTS_GLUE_DATABASE")
        return cls(
            # A branch reads prod's raw bucket and writes its own tables and Glue database.
            raw_url=values.text("LEANETL_WEB_EVENTS_RAW_URL", default=f"{lake}/web-data/raw"),
            url=core.branched(values.text("LEANETL_WEB_EVENTS_URL", default=f"{lake}/web-data")),
            sensor_seconds=values.integer("LEANETL_WEB_EVENTS_SENSOR_SECONDS", low=30),
            lookback_days=values.integer("LEANETL_WEB_EVENTS_LOOKBACK_DAYS", low=0, high=30),
            quarantine_max_share=values.share("LEANETL_WEB_EVENTS_QUARANTINE_MAX_SHARE"),
            max_object_bytes=values.integer("LEANETL_WEB_EVENTS_MAX_OBJECT_MB", low=1) << 20,
            max_event_tables=values.integer("LEANETL_WEB_EVENTS_MAX_EVENT_TABLES", low=1),
            glue_database=f"{glue}{core.dataset_suffix}" if glue else "",
            glue_endpoint_url=values.text("LEANETL_GLUE_ENDPOINT_URL"),
        )


DOMAIN = Domain.of(
    __name__, order=4, doc=DOC, read=WebEventsSettings.read, demo_job="web_events_transform"
)
