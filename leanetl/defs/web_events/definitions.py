"""The web events domain's Dagster definitions: ``build_defs(settings)`` for any settings, and
the ``@dg.definitions`` that `dg` loads for this process's."""

import dagster as dg

from leanetl.defs.policies import domain_defs
from leanetl.defs.web_events.common import DOMAIN, FIREHOSE_OBJECTS
from leanetl.defs.web_events.dashboard import build_dashboard_asset
from leanetl.defs.web_events.query import build_query_asset
from leanetl.defs.web_events.sensors import build_new_objects_sensor
from leanetl.defs.web_events.transform import build_transform_asset
from leanetl.settings import Settings
from leanetl.settings import settings as process_settings


def build_defs(settings: Settings) -> dg.Definitions:
    raw = dg.AssetSpec(
        FIREHOSE_OBJECTS,
        group_name=DOMAIN,
        description=(
            "Segment calls as Kinesis Firehose lands them under "
            f"{settings.web_events.raw_url} (YYYY/MM/DD/HH/<stream>-…, UTC; written outside "
            "leanetl, watched by the web_events_new_objects sensor)."
        ),
        kinds={"s3"},
        tags={"layer": "raw"},
    )
    job = dg.define_asset_job(
        "web_events_transform",
        selection=dg.AssetSelection.groups(DOMAIN) - dg.AssetSelection.assets(FIREHOSE_OBJECTS),
        description="Transform an arrival day's new raw objects and refresh the query tables.",
    )
    assets = [
        build_transform_asset(settings),
        build_query_asset(settings),
        build_dashboard_asset(settings),
    ]
    return dg.Definitions(
        assets=[raw, *assets],
        jobs=[job],
        sensors=[build_new_objects_sensor(settings, job)],
    )


@dg.definitions
def web_events() -> dg.Definitions:
    """What `dg` loads for the web events domain: its definitions for this process's settings."""
    return domain_defs(build_defs, process_settings())
