"""The dbt project in ``dbt/``, its manifest parsed on first use when it is missing."""

from functools import cache

from dagster_dbt import DbtProject

from leanetl.settings import DBT_PROJECT_DIR, settings


@cache
def dbt_project() -> DbtProject:
    """The project for this environment's dbt target; parses the manifest if absent."""
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR,
        profiles_dir=DBT_PROJECT_DIR,
        target=settings().dbt_target,
    )
    if project.preparer and not project.manifest_path.exists():
        project.preparer.prepare(project)
    else:
        project.prepare_if_dev()
    return project
