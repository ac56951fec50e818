"""The one place that maps the environment to resources and IO managers."""

import os
from typing import Any

import dagster as dg
from dagster_pyspark import LazyPySparkResource

from leanetl.dbt_project import LeanetlDbtCliResource, dbt_executable, dbt_project
from leanetl.defs.resources import (
    ChatfuelResource,
    FacebookInsightsResource,
    GlueResource,
    GoogleSheetsResource,
    Mailer,
)
from leanetl.io_managers.mongo import MongoIOManager, MongoStore
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.parquet import PartitionedParquetIOManager
from leanetl.io_managers.warehouse import Warehouse, WarehouseIOManager
from leanetl.settings import Settings


def secret(settings: Settings, *names: str) -> dg.EnvVar | str:
    """An EnvVar of the first of ``names`` that is set (its value is read at run time, never
    logged), else ''."""
    found = [n for n in names if n in settings.secrets_set]
    return dg.EnvVar(found[0]) if found else ""


def google_key_json(settings: Settings) -> dg.EnvVar | str:
    """The service-account key when ``GOOGLE_APPLICATION_CREDENTIALS`` holds its JSON text (as
    Dagster+ Serverless stores secrets) rather than a path: Google's clients get it as
    credentials, resolved at run time; '' lets them find the key file themselves."""
    return dg.EnvVar("GOOGLE_APPLICATION_CREDENTIALS") if settings.google_key_is_text else ""


def object_store(settings: Settings, url: str) -> ObjectStore:
    """A store at ``url`` (directory, s3:// or gs://) with this environment's endpoints."""
    return ObjectStore(
        url=url,
        s3_endpoint_url=settings.s3_endpoint_url,
        gcp_project=settings.bq_project,
        google_key_json=google_key_json(settings),
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
        if where.startswith("local")
        else "200",
        "spark.ui.showConsoleProgress": "false",
        "spark.log.level": "ERROR",
    }


def build_resources(settings: Settings) -> dict[str, Any]:
    """Resources for ``settings.env``: embedded stores locally, cloud services in branch/prod."""
    lake = object_store(settings, settings.lake_url)
    if settings.is_local:
        warehouse = Warehouse(backend="duckdb", duckdb_path=str(settings.duckdb_path))
        mongo = MongoStore(embedded_dir=str(settings.mongo_dir))
    else:
        warehouse = Warehouse(
            backend="bigquery",
            bq_project=settings.bq_project,
            bq_location=settings.bq_location,
            dataset_suffix=settings.dataset_suffix,
            bq_emulator_host=settings.bq_emulator_host,
            google_key_json=google_key_json(settings),
        )
        mongo = MongoStore(uri=dg.EnvVar("LEANETL_MONGO_URI"), db_prefix=settings.mongo_db_prefix)
    return {
        "lake": lake,
        "parquet_io_manager": PartitionedParquetIOManager(store=lake),
        "warehouse": warehouse,
        "warehouse_io_manager": WarehouseIOManager(warehouse=warehouse),
        "mongo": mongo,
        "mongo_io_manager": MongoIOManager(mongo=mongo),
        "leads_source": object_store(settings, settings.leads.source_url),
        "sheets": GoogleSheetsResource(
            credentials=secret(
                settings, "LEANETL_LEADS_SHEETS_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS"
            ),
            api_url=settings.leads.sheets_api_url,
        ),
        "facebook": FacebookInsightsResource(
            access_token=secret(settings, "LEANETL_FB_ACCESS_TOKEN"),
            graph_url=settings.campaigns.fb_graph_url,
            sample=settings.campaigns.sample_insights,
            async_after_days=settings.campaigns.fb_async_after_days,
            poll_seconds=settings.campaigns.fb_poll_seconds,
            backoff_seconds=settings.campaigns.fb_backoff_seconds,
        ),
        "maps": object_store(settings, settings.campaigns.maps_url),
        "web_raw": object_store(settings, settings.web_events.raw_url),
        "chatfuel_source": object_store(settings, settings.chatfuel.source_url),
        "chatfuel_entries": object_store(settings, settings.chatfuel.entries_url),
        "chatfuel": ChatfuelResource(
            token=secret(settings, "LEANETL_CHATFUEL_TOKEN"),
            graphql_url=settings.chatfuel.graphql_url,
            bot_id=settings.chatfuel.bot_id,
            platforms=list(settings.chatfuel.platforms),
            backoff_seconds=settings.chatfuel.backoff_seconds,
            poll_seconds=settings.chatfuel.poll_seconds,
            max_polls=settings.chatfuel.max_polls,
            max_wait_seconds=settings.chatfuel.max_wait_seconds,
            call_seconds=settings.chatfuel.call_seconds,
            deadline_seconds=settings.chatfuel.deadline_seconds,
            sample=settings.chatfuel.sample_api,
        ),
        "web_lake": object_store(settings, settings.web_events.url),
        "glue": GlueResource(
            database=settings.web_events.glue_database,
            region=settings.aws_region,
            endpoint_url=settings.web_events.glue_endpoint_url,
        ),
        "pyspark": LazyPySparkResource(spark_config=spark_config(settings)),
        "mailer": Mailer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            tls=settings.smtp_tls,
            user=settings.smtp_user,
            password=secret(settings, "LEANETL_SMTP_PASSWORD"),
            sender=settings.alert_from,
            recipients=list(settings.alert_to),
        ),
        "dbt": LeanetlDbtCliResource(
            project_dir=dbt_project(), target=settings.dbt_target, dbt_executable=dbt_executable()
        ),
    }
