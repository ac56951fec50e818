"""The web events domain's resources: the raw Firehose bucket, its tables' lake, Glue."""

from typing import Any

import dagster as dg

from leanetl.clients.glue import GlueCatalog
from leanetl.resources import object_store
from leanetl.settings import Settings


class GlueResource(dg.ConfigurableResource):
    """The AWS Glue Data Catalog (credentials from the standard boto3 chain)."""

    database: str = ""
    region: str = "us-east-1"
    endpoint_url: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.database)

    def catalog(self) -> GlueCatalog:
        return GlueCatalog(self.region, self.endpoint_url)


def build_resources(settings: Settings) -> dict[str, Any]:
    found = settings.web_events
    return {
        "web_raw": object_store(settings, found.raw_url),
        "web_lake": object_store(settings, found.url),
        "glue": GlueResource(
            database=found.glue_database,
            region=settings.aws_region,
            endpoint_url=found.glue_endpoint_url,
        ),
    }
