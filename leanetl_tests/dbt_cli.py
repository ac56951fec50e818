"""Run the real dbt CLI of this virtualenv on the project, in a throwaway work directory."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from leanetl.settings import DBT_PROJECT_DIR

DBT = str(Path(sys.executable).parent / "dbt")


def run_dbt(
    command: str,
    target: str,
    dbt_vars: dict[str, Any],
    work_dir: Path,
    *extra: str,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``dbt <command> --target <target> --vars …``; artefacts under ``work_dir/dbt-target``."""
    cmd = [
        DBT,
        command,
        "--target",
        target,
        "--vars",
        json.dumps(dbt_vars),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(work_dir / "dbt-target"),
        "--log-path",
        str(work_dir / "dbt-logs"),
        *extra,
    ]
    return subprocess.run(
        cmd, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=300
    )
