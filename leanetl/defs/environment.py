"""What every domain shares in this environment: resources, executor, alert and health sensors."""

import dagster as dg

from leanetl.defs.alerts import build_failure_email_sensor
from leanetl.defs.run_health import build_dead_runs_sensor
from leanetl.resources import build_resources
from leanetl.settings import Settings, settings


def build_environment_defs(current: Settings) -> dg.Definitions:
    """Resources and sensors of ``current``'s environment (local | branch | prod)."""
    return dg.Definitions(
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
    )


@dg.definitions
def environment() -> dg.Definitions:
    return build_environment_defs(settings())
