"""The web events domain's settings (read by ``leanetl/settings.py``, which finds them through ``DOMAIN``)."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from leanetl.domains import Domain
from leanetl.lib.web_events.parallel import Cores

if TYPE_CHECKING:
    from leanetl.env_values import EnvValues
    from leanetl.settings import Settings


@dataclass(frozen=True)
class WebEventsSettings:
    raw_url: str
    url: str
    sensor_seconds: int
    lookback_days: int
    quarantine_max_share: float
    max_object_bytes: int
    max_event_tables: int
    cores: Cores  # worker processes of the transform, and from what size of a day on
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
            cores=Cores(
                workers=values.integer("LEANETL_WEB_EVENTS_WORKERS", low=0, high=256),
                min_bytes=values.integer("LEANETL_WEB_EVENTS_PARALLEL_MIN_MB", low=0) << 20,
            ),
            glue_database=f"{glue}{core.dataset_suffix}" if glue else "",
            glue_endpoint_url=values.text("LEANETL_GLUE_ENDPOINT_URL"),
        )


DOMAIN = Domain.of(__name__, order=4, read=WebEventsSettings.read, demo_job="web_events_transform")
