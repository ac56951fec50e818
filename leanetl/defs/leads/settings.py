"""The leads domain's settings (read by ``leanetl/settings.py``, which finds them through ``DOMAIN``)."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from leanetl.domains import Domain

if TYPE_CHECKING:
    from leanetl.env_values import EnvValues
    from leanetl.settings import Settings

DOC: dict[str, tuple[str, str]] = {
    "LEANETL_LEADS_SHEET_KEY": (
        "",
        "key of the leads Google Sheet (from its URL); empty: read the newest export",
    ),
    "LEANETL_LEADS_WORKSHEET": ("", "worksheet (tab) title of the leads; empty: the first one"),
    "LEANETL_LEADS_SHEETS_CREDENTIALS": (
        "",
        "secret: service-account JSON (text or path); empty: GOOGLE_APPLICATION_CREDENTIALS",
    ),
    "LEANETL_SHEETS_API_URL": (
        "https://sheets.googleapis.com",
        "Sheets API base URL (a proxy, or the tests' fake)",
    ),
    "LEANETL_LEADS_SOURCE_URL": (
        "$LEANETL_HOME/sources/leads",
        "leads exports (leads*.csv, leads*.json) and companies*.csv: directory, s3:// or gs:// "
        "(prod default <lake>/sources/leads)",
    ),
    "LEANETL_LEADS_TIMEZONE": (
        "$LEANETL_TIMEZONE",
        "timezone of the timestamps operators type into the sheet",
    ),
    "LEANETL_LEADS_CRON": ("0 7 * * *", "when the leads schedule runs (cron, local time)"),
    "LEANETL_LEADS_QUARANTINE_MAX_SHARE": (
        "$LEANETL_QUARANTINE_MAX_SHARE",
        "largest share of leads or companies rows that may be quarantined before the check warns",
    ),
    "LEANETL_SPARK_MASTER": (
        "local[*]",
        "Spark master (local[*], spark://host:7077, yarn) or Spark Connect URL (sc://host:15002)",
    ),
    "LEANETL_SPARK_DRIVER_MEMORY": ("2g", "memory of the Spark driver (local mode: all of Spark)"),
    "SPARK_CONNECT_AUTHENTICATE_TOKEN": (
        "",
        "secret: token of a Spark Connect server (read by PySpark; never put it in the URL)",
    ),
}


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
    __name__, order=2, doc=DOC, read=LeadsSettings.read, demo_job="leads_daily", demo_alongside=True
)
