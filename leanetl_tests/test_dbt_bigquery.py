"""The dbt SQL compiles for the BigQuery target and parses as BigQuery SQL (offline)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlglot
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from leanetl.settings import DBT_PROJECT_DIR

DBT = str(Path(sys.executable).parent / "dbt")


def _throwaway_service_account(path: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "leanetl-ci",
                "private_key_id": "0",
                "private_key": pem,
                "client_email": "ci@leanetl-ci.iam.gserviceaccount.com",
                "client_id": "0",
                "token_uri": "https://oauth2.googleapis.com/token",
            }
        )
    )
    return path


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("bq")
    keyfile = _throwaway_service_account(tmp / "sa.json")
    target = tmp / "target"
    dbt_vars = {
        "as_of_date": "2025-03-14",
        "as_of_cutoff_utc": "2025-03-15 05:00:00",
        "volunteers_signups_database": "van-sync",
        "volunteers_signups_schema": "van",
        "volunteers_signups_table": "event_signups",
    }
    env = {
        **os.environ,
        "GOOGLE_APPLICATION_CREDENTIALS": str(keyfile),
        "LEANETL_BQ_PROJECT": "leanetl-ci",
        "LEANETL_DATASET_SUFFIX": "_pr7",
    }
    result = subprocess.run(
        [
            DBT,
            "compile",
            "--target",
            "bigquery",
            "--no-populate-cache",
            "--vars",
            json.dumps(dbt_vars),
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(tmp / "logs"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    return target / "compiled" / "leanetl"


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
