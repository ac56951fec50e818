"""The leads domain's resources: the sheet, its dropped exports, and Spark."""

import os
from typing import Any

import dagster as dg
from dagster_pyspark import LazyPySparkResource
from pydantic import Field

from leanetl.clients.sheets import SheetValues, load_credentials, read_worksheet
from leanetl.resources import object_store, secret
from leanetl.settings import Settings


class GoogleSheetsResource(dg.ConfigurableResource):
    """Reads worksheets with gspread as a service account; the key JSON comes from EnvVar."""

    credentials: str = Field(default="", description="service-account JSON text or path")
    api_url: str = "https://sheets.googleapis.com"
    retries: int = 4
    backoff_seconds: float = 2.0

    def read(self, spreadsheet_key: str, worksheet: str = "") -> SheetValues:
        return read_worksheet(
            load_credentials(self.credentials),
            spreadsheet_key,
            worksheet,
            api_url=self.api_url,
            retries=self.retries,
            backoff_seconds=self.backoff_seconds,
        )


def spark_config(settings: Settings) -> dict[str, str]:
    """One session config for ``local[*]``, a cluster master, or a Spark Connect URL.

    A Connect server owns its JVM, so only session settings are sent to it; its token, when it
    wants one, comes from SPARK_CONNECT_AUTHENTICATE_TOKEN in the environment, never the URL.
    """
    where = settings.leads.spark_master
    session = {"spark.sql.session.timeZone": "UTC"}
    if where.startswith("sc://"):
        return {"spark.remote": where, **session}
    return {
        "spark.master": where,
        **session,
        "spark.app.name": "leanetl",
        "spark.driver.memory": settings.leads.spark_driver_memory,
        # Locally one shuffle partition per core: the answers' data is small, and each extra
        # task is scheduling time (8 per shuffle cost ≈ 25 % of a 14-day demo's leads run here).
        "spark.sql.shuffle.partitions": str(os.cpu_count() or 2)
        if settings.leads.spark_in_process
        else "200",
        "spark.ui.showConsoleProgress": "false",
        "spark.log.level": "ERROR",
    }


def build_resources(settings: Settings) -> dict[str, Any]:
    return {
        "leads_source": object_store(settings, settings.leads.source_url),
        "sheets": GoogleSheetsResource(
            credentials=secret(
                settings, "LEANETL_LEADS_SHEETS_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS"
            ),
            api_url=settings.leads.sheets_api_url,
        ),
        "pyspark": LazyPySparkResource(spark_config=spark_config(settings)),
    }
