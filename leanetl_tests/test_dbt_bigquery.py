"""The dbt SQL compiles for the BigQuery target and parses as BigQuery SQL (offline)."""

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlglot

from leanetl.defs.partitions import as_of_vars
from leanetl_tests.dbt_cli import run_dbt
from leanetl_tests.fakes.google_auth import service_account_info


@pytest.fixture(scope="module", params=[True, False], ids=["incremental", "first_run"])
def compiled(tmp_path_factory, request) -> Path:
    """Both branches of the incremental models (the var decides, so no table is looked up)."""
    tmp = tmp_path_factory.mktemp("bq")
    keyfile = tmp / "sa.json"
    keyfile.write_text(json.dumps(service_account_info(project_id="leanetl-ci")))
    dbt_vars = {
        # A three-day range: the range models compile as they do for a backfill.
        **as_of_vars(
            [dt.date(2025, 3, 12), dt.date(2025, 3, 13), dt.date(2025, 3, 14)], "America/Chicago"
        ),
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


MERGE_MODELS = {
    "int_chatfuel__users_history": ["user_id", "valid_from"],
    "int_chatfuel__attribute_history": ["user_id", "attribute", "valid_from"],
    "int_chatfuel__broadcasts_history": ["broadcast_id", "valid_from"],
    "int_chatfuel__segments_history": ["segment_id", "valid_from"],
    "int_chatfuel__user_filters_history": ["broadcast_id", "filter_id", "valid_from"],
    "int_chatfuel__recipients_first_listed": ["broadcast_id", "user_id"],
}


def test_the_merge_statements_dbt_runs_on_bigquery_parse(tmp_path: Path) -> None:
    """dbt's own MERGE for each merge model (rendered by the print_merge_sql operation)."""
    keyfile = tmp_path / "sa.json"
    keyfile.write_text(json.dumps(service_account_info(project_id="leanetl-ci")))
    env = {"GOOGLE_APPLICATION_CREDENTIALS": str(keyfile), "LEANETL_BQ_PROJECT": "leanetl-ci"}
    for model, key in MERGE_MODELS.items():
        args = {"model": model, "unique_key": key, "columns": [*key, "pulled_at"]}
        result = run_dbt(
            "run-operation", "bigquery", {}, tmp_path, "print_merge_sql",
            "--args", json.dumps(args), "--no-populate-cache", env=env,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout[-3000:]
        merge = result.stdout[result.stdout.index("merge into") :]
        merge = merge[: merge.index("\n\n\n")] if "\n\n\n" in merge else merge
        statement = sqlglot.parse_one(merge.split("\x1b")[0], read="bigquery")
        assert isinstance(statement, sqlglot.exp.Merge), model
        assert all(f"DBT_INTERNAL_SOURCE.{k} = DBT_INTERNAL_DEST.{k}" in merge for k in key)
