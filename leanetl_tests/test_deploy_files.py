"""The Dagster+ deployment files, checked offline as far as Dagster's own tools go: dg merges
build.yaml, container_context.yaml and pyproject.toml into the location config it would send, and
dagster-cloud validates it; the image's command serves the definitions; the workflow deploys a
branch per pull request and prod on main; secrets are named, never valued."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from leanetl.settings_doc import secret_names
from leanetl_tests.conftest import REPO
from leanetl_tests.fakes.processes import free_port, stop, wait_for_port

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def location_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dagster_cloud.yaml `dg plus deploy` builds from the project's files."""
    from dagster_dg_cli.cli.utils import create_temp_dagster_cloud_yaml_file
    from dagster_dg_core.context import DgContext

    context = DgContext.for_project_environment(REPO, {})
    return Path(create_temp_dagster_cloud_yaml_file(context, str(tmp_path_factory.mktemp("dg"))))


def test_dg_builds_a_location_config_dagster_cloud_accepts(location_config: Path) -> None:
    from dagster_cloud_cli.config.models import load_dagster_cloud_yaml

    config = load_dagster_cloud_yaml(location_config.read_text())
    (location,) = config.locations
    assert location.location_name == "leanetl"
    assert location.code_source is not None
    assert Path(location.build.directory) == REPO and location.build.registry
    k8s = location.container_context["k8s"]
    assert k8s["env_secrets"] == ["leanetl-secrets"]
    # Settings travel by name; no secret is listed, let alone given a value.
    assert all("=" not in name for name in k8s["env_vars"])
    assert not set(k8s["env_vars"]) & set(secret_names())
    result = subprocess.run(
        [str(BIN / "dagster-cloud"), "ci", "check", "--dagster-cloud-yaml-path", str(location_config),
         "--dagster-cloud-connect-check", "skip"],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def _dockerfile() -> str:
    return (REPO / "Dockerfile").read_text()


def test_the_image_installs_what_make_installs() -> None:
    text = _dockerfile()
    assert "requirements.lock" in text and "-e ." in text  # dbt/ found next to the package
    assert "openjdk-17-jre-headless" in text and "chromium" in text
    assert "dbt parse" in text and "dagster-cloud --version" in text
    baked = [line for line in text.splitlines() if line.startswith(("ENV", "ARG"))]
    assert not [
        name for name in secret_names() for line in baked if name in line
    ]  # no secret baked in


@pytest.mark.slow
def test_the_image_command_serves_the_definitions(tmp_path: Path, leanetl_home) -> None:
    """The Dockerfile's CMD, run from this checkout's environment (as the image's PATH has it),
    answers gRPC health checks: the definitions load in a code server."""
    (cmd_line,) = [line for line in _dockerfile().splitlines() if line.startswith("CMD ")]
    command = json.loads(cmd_line.removeprefix("CMD "))
    port = free_port()
    command[command.index("--port") + 1] = str(port)
    command[command.index("--host") + 1] = "127.0.0.1"
    command[0] = str(BIN / command[0])
    with (tmp_path / "server.log").open("wb") as log:
        server = subprocess.Popen(
            command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning:leanetl"},
        )  # fmt: skip
        try:
            wait_for_port(port, timeout=120, proc=server)
            health = subprocess.run(
                [str(BIN / "dagster"), "api", "grpc-health-check", "--port", str(port)],
                capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert health.returncode == 0, health.stdout + health.stderr
        finally:
            stop(server)


def test_the_workflow_deploys_branches_and_prod() -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/dagster-plus.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert set(triggers["pull_request"]["types"]) >= {"opened", "synchronize", "closed"}
    steps = workflow["jobs"]["deploy"]["steps"]
    commands = " ".join(str(s.get("with", {}).get("command", "")) for s in steps)
    assert "plus deploy build-and-push" in commands and "plus deploy finish" in commands
    assert "--build-strategy=docker" in commands
    assert workflow["jobs"]["deploy"]["needs"] == ["check"]
    text = (REPO / ".github/workflows/dagster-plus.yml").read_text()
    secrets = set(re.findall(r"secrets\.([A-Z_]+)", text))
    assert secrets == {
        "DAGSTER_CLOUD_API_TOKEN",
        "GITHUB_TOKEN",
        "REGISTRY_USERNAME",
        "REGISTRY_PASSWORD",
    }


def test_a_key_given_as_json_text_becomes_credentials_never_echoed() -> None:
    from leanetl.clients.google_credentials import service_account_credentials
    from leanetl_tests.fakes.google_auth import service_account_info

    info = service_account_info("http://127.0.0.1:9/token", "civic")
    credentials = service_account_credentials(json.dumps(info))
    assert credentials.service_account_email == info["client_email"]
    with pytest.raises(ValueError, match="not JSON") as failure:
        service_account_credentials('{"private_key": "secret-material')
    assert "secret-material" not in str(failure.value)
