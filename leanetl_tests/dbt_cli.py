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


def documented_columns(domain: str) -> dict[str, dict[str, str | None]]:
    """Per model of ``domain``: each column's ``data_type`` as its yml documents it."""
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    return {
        node["name"]: {name: column.get("data_type") for name, column in node["columns"].items()}
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][2] == domain
    }


def built_columns(duckdb_path: Path, domain: str) -> dict[str, dict[str, str]]:
    """Per table or view of schema ``domain`` in the DuckDB file: column -> its type."""
    import duckdb

    with duckdb.connect(str(duckdb_path), read_only=True) as conn:
        rows = conn.execute(
            "select table_name, column_name, lower(data_type) from information_schema.columns "
            "where table_schema = ? order by table_name, ordinal_position",
            [domain],
        ).fetchall()
    found: dict[str, dict[str, str]] = {}
    for table, column, kind in rows:
        found.setdefault(table, {})[column] = kind
    return found


def assert_models_documented(duckdb_path: Path, domain: str) -> None:
    """Every model of ``domain`` documents every column it has, with the type DuckDB gives."""
    documented, built = documented_columns(domain), built_columns(duckdb_path, domain)
    assert documented, domain
    for model, columns in documented.items():
        assert columns == built.get(model), model
