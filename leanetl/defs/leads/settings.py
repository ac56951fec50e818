"""The leads domain's settings (read by ``leanetl/settings.py``, which finds them through ``DOMAIN``)."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from leanetl.domains import Domain

if TYPE_CHECKING:
    from leanetl.env_values import EnvValues
    from leanetl.settings import Settings


@dataclass(frozen=True)
class LeadsSettings:
    sheet_key: str
    worksheet: str
    sheets_api_url: str
    source_url: str
    timezone: str
    cron: str
    quarantine_max_share: float
    spark_master: str
    spark_driver_memory: str

    @property
    def spark_in_process(self) -> bool:
        """Spark runs in the step's own process (``local[*]``), not on a cluster or a Connect server."""
        return self.spark_master.startswith("local")

    @classmethod
    def read(cls, values: "EnvValues", core: "Settings") -> "LeadsSettings":
        return cls(
            sheet_key=values.text("LEANETL_LEADS_SHEET_KEY"),
            worksheet=values.text("LEANETL_LEADS_WORKSHEET"),
            sheets_api_url=values.text("LEANETL_SHEETS_API_URL").rstrip("/"),
            source_url=values.text("LEANETL_LEADS_SOURCE_URL", default=core.sources_url("leads")),
            timezone=values.timezone("LEANETL_LEADS_TIMEZONE"),
            cron=values.text("LEANETL_LEADS_CRON"),
            quarantine_max_share=values.share("LEANETL_LEADS_QUARANTINE_MAX_SHARE"),
            spark_master=values.text("LEANETL_SPARK_MASTER"),
            spark_driver_memory=values.text("LEANETL_SPARK_DRIVER_MEMORY"),
        )


DOMAIN = Domain.of(
    __name__, order=2, read=LeadsSettings.read, demo_job="leads_daily", demo_alongside=True
)
