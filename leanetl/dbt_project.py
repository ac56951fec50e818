"""The dbt project in ``dbt/``, its manifest parsed when missing or under ``dagster dev``."""

import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

from dagster_dbt import DbtProject

from leanetl.settings import DBT_PROJECT_DIR, settings


def dbt_executable() -> str:
    """dbt from this interpreter's environment, so an unactivated virtualenv still finds it.

    Through ``leanetl-dbt`` when installed: that dbt dies with the run process that started it.
    """
    for name in ("leanetl-dbt", "dbt"):
        beside = Path(sys.executable).parent / name
        if beside.exists():
            return str(beside)
    return shutil.which("dbt") or "dbt"


@cache
def dbt_project() -> DbtProject:
    """The project for this environment's dbt target, with a manifest that matches the models."""
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target=settings().dbt_target
    )
    # Under `dagster dev` models change while you work: re-parse, as dagster-dbt's prepare_if_dev
    # would, but with the dbt of this virtualenv.
    if not project.manifest_path.exists() or settings().dev_cli:
        subprocess.run(
            [
                dbt_executable(),
                "parse",
                "--quiet",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target",
                settings().dbt_target,
            ],
            check=True,
        )
    return project
