import re

import pytest

from leanetl.settings import Environment, detect_environment, load_settings
from leanetl.settings_doc import settings_doc
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


def test_every_setting_is_documented_in_the_settings_page_and_env_example() -> None:
    readme = (REPO / "docs" / "settings.md").read_text()
    example = (REPO / ".env.example").read_text()
    for name in settings_doc():
        assert re.search(rf"\|\s*`{name}`\s*\|", readme), f"{name} missing from docs/settings.md"
        assert re.search(rf"^#?\s*{name}=", example, re.M), f"{name} missing from .env.example"


def test_settings_docs_are_generated_from_the_settings() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, str(REPO / "scripts/settings_docs.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_each_domain_has_its_settings_and_overrides_the_quarantine_limit(leanetl_home) -> None:
    s = load_settings({"LEANETL_HOME": str(leanetl_home)})
    assert s.quarantine_max_share == 0.05
    assert s.volunteers.quarantine_max_share == 0.01
    assert s.leads.quarantine_max_share == 0.05  # default: the core setting
    assert s.campaigns.quarantine_max_share == 0.2
    s = load_settings(
        {
            "LEANETL_HOME": str(leanetl_home),
            "LEANETL_QUARANTINE_MAX_SHARE": "0.1",
            "LEANETL_VOLUNTEERS_QUARANTINE_MAX_SHARE": "0.02",
            "LEANETL_TIMEZONE": "Europe/Paris",
        }
    )
    assert (s.leads.quarantine_max_share, s.volunteers.quarantine_max_share) == (0.1, 0.02)
    assert s.leads.timezone == "Europe/Paris"  # default: LEANETL_TIMEZONE
    with pytest.raises(ValueError, match=r"LEANETL_LEADS_QUARANTINE_MAX_SHARE=1\.5 is not 0 to 1"):
        load_settings({"LEANETL_LEADS_QUARANTINE_MAX_SHARE": "1.5"})
    with pytest.raises(ValueError, match="LEANETL_FB_POLL_SECONDS='soon' is not a float"):
        load_settings({"LEANETL_FB_POLL_SECONDS": "soon"})


def test_only_settings_read_the_environment_and_nothing_writes_it() -> None:
    # lib/redact.py reads the secret variables' values to mask them; nothing else may look.
    readers = {"leanetl/settings.py", "leanetl/lib/redact.py"}
    reads = re.compile(r"os\.environ|os\.getenv|getenv\(")
    writes = re.compile(r"os\.environ\[[^\]]+\]\s*=|os\.environ\.(update|setdefault)|putenv")
    for path in sorted((REPO / "leanetl").rglob("*.py")):
        name = str(path.relative_to(REPO))
        text = path.read_text()
        assert not writes.search(text), f"{name} writes the environment"
        if name not in readers:
            assert not reads.search(text), f"{name} reads the environment: use leanetl.settings"
