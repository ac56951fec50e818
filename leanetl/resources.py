"""The one place that maps the environment to resources and IO managers."""

from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource

from leanetl.dbt_project import dbt_executable, dbt_project
from leanetl.io_managers.mongo import MongoIOManager, MongoStore
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.parquet import PartitionedParquetIOManager
from leanetl.io_managers.warehouse import Warehouse, WarehouseIOManager
from leanetl.settings import Settings


def build_resources(settings: Settings) -> dict[str, Any]:
    """Resources for ``settings.env``: embedded stores locally, cloud services in branch/prod."""
    lake = ObjectStore(
        url=settings.lake_url,
        s3_endpoint_url=settings.s3_endpoint_url,
        gcp_project=settings.bq_project,
    )
    if settings.is_local:
        warehouse = Warehouse(backend="duckdb", duckdb_path=str(settings.duckdb_path))
        mongo = MongoStore(embedded_dir=str(settings.mongo_dir))
    else:
        warehouse = Warehouse(
            backend="bigquery",
            bq_project=settings.bq_project,
            bq_location=settings.bq_location,
            dataset_suffix=settings.dataset_suffix,
        )
        mongo = MongoStore(uri=dg.EnvVar("LEANETL_MONGO_URI"), db_prefix=settings.mongo_db_prefix)
    return {
        "lake": lake,
        "parquet_io_manager": PartitionedParquetIOManager(store=lake),
        "warehouse": warehouse,
        "warehouse_io_manager": WarehouseIOManager(warehouse=warehouse),
        "mongo": mongo,
        "mongo_io_manager": MongoIOManager(mongo=mongo),
        "dbt": DbtCliResource(
            project_dir=dbt_project(), target=settings.dbt_target, dbt_executable=dbt_executable()
        ),
    }
