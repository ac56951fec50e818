"""Run the real dbt project against a throwaway DuckDB warehouse."""

from pathlib import Path

import pandas as pd

from leanetl.defs.partitions import as_of_vars
from leanetl.io_managers.warehouse import Warehouse
from leanetl.lib.volunteers.signups import REQUIRED_COLUMNS
from leanetl_tests import dbt_cli

COLUMNS = list(REQUIRED_COLUMNS)


def source_frame(rows: list[tuple]) -> pd.DataFrame:
    """``rows`` typed as VAN's sign-up table is (instants as naive UTC timestamps)."""
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["event_date"] = pd.to_datetime(frame["event_date"])
    frame["status_changed_at"] = pd.to_datetime(frame["status_changed_at"], utc=True).dt.tz_convert(
        None
    )
    return frame


def load_source(home: Path, rows: list[tuple]) -> Warehouse:
    """Write ``rows`` as the typed local source table ``volunteers.event_signups``."""
    frame = source_frame(rows)
    warehouse = Warehouse(backend="duckdb", duckdb_path=str(home / "warehouse.duckdb"))
    home.mkdir(parents=True, exist_ok=True)
    warehouse.replace_table("volunteers", "event_signups", frame)
    return warehouse


def run_dbt(home: Path, command: str, as_of: str, *extra: str, timezone: str = "America/Chicago"):
    """``dbt <command>`` of the volunteers models on the DuckDB warehouse under ``home``."""
    import datetime as dt

    return dbt_cli.run_dbt(
        command,
        "duckdb",
        as_of_vars([dt.date.fromisoformat(as_of)], timezone),
        home,
        "--select",
        "staging.volunteers intermediate.volunteers marts.volunteers",
        *extra,
        env={"LEANETL_HOME": str(home), "LEANETL_DATASET_SUFFIX": ""},
    )
