"""The one place that maps the environment to resources and IO managers: the shared ones here,
each domain's from its ``resources.build_resources`` (found through ``leanetl.domains``)."""

from typing import Any

import dagster as dg

from leanetl.dbt_project import LeanetlDbtCliResource, dbt_executable, dbt_project
from leanetl.defs.resources import Mailer
from leanetl.domains import domains
from leanetl.io_managers.mongo import MongoIOManager, MongoStore
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.parquet import PartitionedParquetIOManager
from leanetl.io_managers.warehouse import Warehouse
from leanetl.io_managers.warehouse_io_manager import WarehouseIOManager
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
    shared = {
        "lake": lake,
        "parquet_io_manager": PartitionedParquetIOManager(store=lake),
        "warehouse": warehouse,
        "warehouse_io_manager": WarehouseIOManager(warehouse=warehouse),
        "mongo": mongo,
        "mongo_io_manager": MongoIOManager(mongo=mongo),
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
    return shared | _domain_resources(settings, set(shared))


def _domain_resources(settings: Settings, taken: set[str]) -> dict[str, Any]:
    """Each domain's own resources (its ``resources.build_resources``), under names of its own."""
    found: dict[str, Any] = {}
    for domain in domains():
        build = domain.hook("resources", "build_resources")
        own = build(settings) if build else {}
        if clash := sorted(set(own) & (taken | set(found))):
            raise ValueError(f"domain {domain.name} names resources already named: {clash}")
        found |= own
    return found
