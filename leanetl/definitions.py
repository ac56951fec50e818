"""Root Definitions: every domain's definitions plus the resources of this environment."""

import dagster as dg

from leanetl.defs import campaigns, leads, volunteers
from leanetl.defs.alerts import build_failure_email_sensor
from leanetl.defs.run_health import build_dead_runs_sensor
from leanetl.resources import build_resources
from leanetl.settings import Settings, settings


def build_defs(current: Settings) -> dg.Definitions:
    """All of leanetl for ``current`` settings (tests build it for other environments)."""
    return dg.Definitions.merge(
        volunteers.build_defs(current),
        leads.build_defs(current),
        campaigns.build_defs(current),
        dg.Definitions(
            sensors=[
                build_failure_email_sensor(current),
                # The eager dashboards only refresh when this sensor runs: on by default.
                dg.AutomationConditionSensorDefinition(
                    "default_automation_condition_sensor",
                    target=dg.AssetSelection.all(),
                    default_status=dg.DefaultSensorStatus.RUNNING,
                ),
                # Locally runs are processes on this machine: a killed one is marked failed.
                *([build_dead_runs_sensor()] if current.is_local else []),
            ],
            resources=build_resources(current),
            # Locally DuckDB takes one writer at a time: steps of a run go one after another.
            executor=dg.in_process_executor if current.is_local else dg.multiprocess_executor,
        ),
    )


defs = build_defs(settings())
