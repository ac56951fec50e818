"""The deliveries domain's one resource: the folder or bucket its CSVs are dropped in."""

from typing import Any

from leanetl.resources import object_store
from leanetl.settings import Settings


def build_resources(settings: Settings) -> dict[str, Any]:
    return {"deliveries_source": object_store(settings, settings.deliveries.source_url)}
