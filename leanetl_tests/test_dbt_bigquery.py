"""The dbt SQL compiles for the BigQuery target and parses as BigQuery SQL (offline)."""

import json
from pathlib import Path

import pytest
import sqlglot

from leanetl_tests.dbt_cli import run_dbt
from leanetl_tests.fakes.google_auth import service_account_info


@pytest.fixture(scope="module", params=[True, False], ids=["incremental", "first_run"])
def compiled(tmp_path_factory, request) -> Path:
    """Both branches of the incremental models (the var decides, so no table is looked up)."""
    tmp = tmp_path_factory.mktemp("bq")
    keyfile = tmp / "sa.json"
    keyfile.write_text(json.dumps(service_account_info(project_id="leanetl-ci")))
    dbt_vars = {
        "as_of_date": "2025-03-14",
        "as_of_cutoff_utc": "2025-03-15 05:00:00",
        "volunteers_signups_database": "van-sync",
        "volunteers_signups_schema": "van",
        "volunteers_signups_table": "event_signups",
        "leanetl_compile_incremental": request.param,
    }
    env = {
        "GOOGLE_APPLICATION_CREDENTIALS": str(keyfile),
        "LEANETL_BQ_PROJECT": "leanetl-ci",
        "LEANETL_DATASET_SUFFIX": "_pr7",
    }
    result = run_dbt("compile", "bigquery", dbt_vars, tmp, "--no-populate-cache", env=env)
    assert result.returncode == 0, result.stdout[-4000:]
    return tmp / "dbt-target" / "compiled" / "leanetl"


def test_every_model_and_test_parses_as_bigquery(compiled: Path) -> None:
    files = sorted(compiled.rglob("*.sql"))
    models = [f for f in files if "/models/" in f.as_posix() and "_models.yml" not in f.as_posix()]
    assert len(models) >= 5 and len(files) >= 15
    for f in files:
        sql = f.read_text()
        statements = sqlglot.parse(sql, read="bigquery")
        assert statements and all(s is not None for s in statements), f
        assert "generate_series" not in sql, f"{f}: DuckDB-only function in BigQuery SQL"


def test_bigquery_sql_uses_bigquery_forms(compiled: Path) -> None:
    weekly = next(compiled.rglob("flake_rate_weekly.sql")).read_text()
    assert "week(saturday)" in weekly and "generate_date_array" in weekly
    staging = next(compiled.rglob("stg_volunteers__event_signups.sql")).read_text()
    assert "`van-sync`.`van`.`event_signups`" in staging
    users = next(compiled.rglob("stg_chatfuel__users.sql")).read_text()
    assert "`leanetl-ci`.`chatfuel_pr7`.`users`" in users
