import re

import pytest

from leanetl.settings import SETTINGS_DOC, Environment, detect_environment, load_settings
from leanetl_tests.conftest import REPO


def test_defaults_are_local(leanetl_home) -> None:
    s = load_settings()
    assert s.env is Environment.LOCAL
    assert s.home == leanetl_home
    assert s.duckdb_path == leanetl_home / "warehouse.duckdb"
    assert s.lake_url == str(leanetl_home / "lake")
    assert s.dbt_target == "duckdb"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"DAGSTER_CLOUD_IS_BRANCH_DEPLOYMENT": "1", "DAGSTER_CLOUD_DEPLOYMENT_NAME": "prod"},
            "branch",
        ),
        ({"DAGSTER_CLOUD_DEPLOYMENT_NAME": "prod"}, "prod"),
        ({"LEANETL_ENV": "prod", "DAGSTER_CLOUD_IS_BRANCH_DEPLOYMENT": "1"}, "prod"),
        ({}, "local"),
    ],
)
def test_environment_detection(monkeypatch, env, expected) -> None:
    for name in (
        "LEANETL_ENV",
        "DAGSTER_CLOUD_IS_BRANCH_DEPLOYMENT",
        "DAGSTER_CLOUD_DEPLOYMENT_NAME",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert detect_environment().value == expected


def test_branch_suffixes_datasets_and_prod_needs_its_tables(monkeypatch, leanetl_home) -> None:
    monkeypatch.setenv("DAGSTER_CLOUD_IS_BRANCH_DEPLOYMENT", "1")
    monkeypatch.setenv("DAGSTER_CLOUD_PULL_REQUEST_ID", "42")
    with pytest.raises(ValueError, match="LEANETL_BQ_PROJECT, LEANETL_VAN_SIGNUPS_TABLE"):
        load_settings()
    monkeypatch.setenv("LEANETL_BQ_PROJECT", "p")
    monkeypatch.setenv("LEANETL_VAN_SIGNUPS_TABLE", "p.van.event_signups")
    s = load_settings()
    assert s.schema("volunteers") == "volunteers_pr42"
    assert s.mongo_db_prefix == "pr42_"
    assert s.dbt_target == "bigquery"


def test_bad_values_name_the_variable(monkeypatch, leanetl_home) -> None:
    monkeypatch.setenv("LEANETL_START_DATE", "yesterday")
    with pytest.raises(ValueError, match="LEANETL_START_DATE"):
        load_settings()
    monkeypatch.delenv("LEANETL_START_DATE")
    monkeypatch.setenv("LEANETL_ENV", "staging")
    with pytest.raises(ValueError, match="LEANETL_ENV"):
        load_settings()


def test_every_setting_is_documented_in_readme_and_env_example() -> None:
    readme = (REPO / "README.md").read_text()
    example = (REPO / ".env.example").read_text()
    for name in SETTINGS_DOC:
        assert re.search(rf"\|\s*`{name}`\s*\|", readme), f"{name} missing from README table"
        assert re.search(rf"^#?\s*{name}=", example, re.M), f"{name} missing from .env.example"
