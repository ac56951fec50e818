"""The web events domain's Dagster definitions: ``build_defs(settings)`` for any settings, and
the ``@dg.definitions`` that `dg` loads for this process's."""

import dagster as dg

from leanetl.defs.policies import loaded_by_dg
from leanetl.defs.specs import domain_job, raw_spec
from leanetl.defs.web_events.common import DOMAIN, FIREHOSE_OBJECTS
from leanetl.defs.web_events.dashboard import build_dashboard_asset
from leanetl.defs.web_events.query import build_query_asset
from leanetl.defs.web_events.sensors import build_new_objects_sensor
from leanetl.defs.web_events.transform import build_transform_asset
from leanetl.settings import Settings


def build_defs(settings: Settings) -> dg.Definitions:
    raw = raw_spec(
        FIREHOSE_OBJECTS,
        "Segment calls as Kinesis Firehose lands them under "
        f"{settings.web_events.raw_url} (YYYY/MM/DD/HH/<stream>-…, UTC; written outside "
        "leanetl, watched by the web_events_new_objects sensor).",
        kinds={"s3"},
    )
    job = domain_job(
        "web_events_transform",
        DOMAIN,
        "Transform an arrival day's new raw objects and refresh the query tables.",
        outside=FIREHOSE_OBJECTS,
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


# What `dg` loads: the domain's definitions for this process's settings.
web_events = loaded_by_dg(build_defs)
