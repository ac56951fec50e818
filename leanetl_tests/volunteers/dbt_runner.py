"""Run the real dbt project against a throwaway DuckDB warehouse."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from leanetl.defs.partitions import as_of_vars
from leanetl.io_managers.warehouse import Warehouse
from leanetl.lib.van_signups import REQUIRED_COLUMNS
from leanetl.settings import DBT_PROJECT_DIR

DBT = str(Path(sys.executable).parent / "dbt")
COLUMNS = list(REQUIRED_COLUMNS)


def load_source(home: Path, rows: list[tuple]) -> Warehouse:
    """Write ``rows`` as the typed local source table ``volunteers.event_signups``."""
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["event_date"] = pd.to_datetime(frame["event_date"])
    frame["status_changed_at"] = pd.to_datetime(frame["status_changed_at"], utc=True).dt.tz_convert(
        None
    )
    warehouse = Warehouse(backend="duckdb", duckdb_path=str(home / "warehouse.duckdb"))
    home.mkdir(parents=True, exist_ok=True)
    warehouse.replace_table("volunteers", "event_signups", frame)
    return warehouse


def run_dbt(home: Path, command: str, as_of: str, *extra: str, timezone: str = "America/Chicago"):
    import datetime as dt

    dbt_vars = as_of_vars(dt.date.fromisoformat(as_of), timezone)
    cmd = [
        DBT,
        command,
        "--vars",
        json.dumps(dbt_vars),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target",
        "duckdb",
        "--target-path",
        str(home / "dbt-target"),
        "--log-path",
        str(home / "dbt-logs"),
        "--select",
        "staging.volunteers intermediate.volunteers marts.volunteers",
        *extra,
    ]
    env = {**os.environ, "LEANETL_HOME": str(home), "LEANETL_DATASET_SUFFIX": ""}
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
