"""Every shell command the README and the docs/ pages show runs as written, or this test names why
it does not run here. A command added to them without a line below fails the test."""

import os
import re
import subprocess
from pathlib import Path

import pytest

from leanetl_tests.conftest import BIN, REPO

STARTS = ("make", "dg ", "dagster ", "python ", ".venv/bin/", "bash ", "sudo ", "BENCH_", "dbt ")

# Run here, on a temporary home (the command as written; `[--days N]` with N filled in).
RUN = {
    "make sample": "make sample",
    "python -m leanetl.sample [--days N]": "python -m leanetl.sample --days 3",
    "dagster asset materialize -m leanetl.definitions --select 'leads/companies_raw' "
    "--partition-range 2025-03-12...2025-03-14": None,  # as written
    "dagster instance concurrency set web_events_names 1": None,
    "python scripts/settings_docs.py": "python scripts/settings_docs.py --check",
    "make lint": None,
    "dg check defs": None,
    "dg list defs": None,
}
# Not run by this test, and why.
SKIPPED = {
    "make": "the word, not a command (the machine needs `make`)",
    "make test": "this test suite itself (CI runs it through .ci/run)",
    "make test-fast": "a subset of this suite (pytest -m 'not slow')",
    "make test-prod": "a subset of this suite (e2e/test_prod_definitions.py)",
    "make demo": "e2e/test_demo.py runs its driver (python -m leanetl.demo) in its own process",
    "make dev": "a server: e2e/test_ui.py starts `dagster dev` on the demo's home and drives it",
    "dg dev": "a server (make dev's command): e2e/test_ui.py",
    "dagster dev": "a server: e2e/test_ui.py",
    "dagster dev -w workspace.yaml": "a server: e2e/test_ui.py starts exactly this",
    "make validate": ".ci/run runs it after the tests (dg check defs and dg list defs run here)",
    "make bench": "minutes of benchmarks on large inputs (figures in the README)",
    "BENCH_LEADS_SIZES=1000000 python -m bench.run --leads": "a benchmark (make bench's part)",
    "python -m bench.run --chatfuel": "a benchmark (make bench's part)",
    "python -m bench.run --web": (
        "a benchmark (make bench's part): web_events/test_bench_transform.py runs its steps small"
    ),
    "make lock": "re-resolves every pin against PyPI and rewrites requirements.lock",
    "dg plus deploy": "needs a Dagster+ organization; test_deploy_files.py checks its input",
    "dg plus login": "needs a Dagster+ organization",
    "sudo apt-get install -y default-jre-headless chromium": (
        "system packages: scripts/system-deps.sh installs them (test_system_deps.py)"
    ),
    "dagster asset materialize": "prose: the command with its flags (…--partition-range…) runs here",
    "dbt --version": "prose: what dagster-dbt used to run before each build",
    "dbt parse": "prose: Makefile's manifest rule runs it before every target",
    "dbt ls": "prose: e2e/test_your_data.py runs it with a branch's var",
    "dbt build": "the dbt tests run it (test_flake_rate_dbt.py, test_chatfuel_dbt.py)",
    "dbt build --target bigquery": "test_dbt_on_bigquery.py runs it against the emulator",
    "dbt compile --target bigquery": "test_dbt_bigquery.py runs it offline",
}


def readme_commands() -> set[str]:
    """The commands of the README and of every page under docs/."""
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    text = "\n".join(page.read_text() for page in pages)
    fenced = re.findall(r"```bash\n(.*?)```", text, re.DOTALL)
    lines = {line.split("#")[0].strip() for block in fenced for line in block.splitlines()}
    spans = set(re.findall(r"`([^`\n]+)`", text))
    return {c for c in lines | spans if c and c.startswith(STARTS)}


def test_every_readme_command_is_run_or_named_here() -> None:
    found = readme_commands()
    assert found - RUN.keys() - SKIPPED.keys() == set(), "new README commands: add them here"
    assert RUN.keys() | SKIPPED.keys() <= found, "listed here, gone from the README"


@pytest.mark.slow
@pytest.mark.parametrize("command", sorted(RUN))
def test_readme_command_runs(command: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("LEANETL_", "DAGSTER_"))},
        "PATH": f"{BIN}:{os.environ['PATH']}",
        "LEANETL_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
    }
    (home / "dagster").mkdir(parents=True)
    if command.startswith("dagster asset materialize"):
        # Its source first, as the README's order has it.
        subprocess.run([str(BIN / "python"), "-m", "leanetl.sample", "--days", "1"], env=env,
                       cwd=REPO, check=True, capture_output=True)  # fmt: skip
    written = RUN[command] or command
    done = subprocess.run(
        written, shell=True, cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{written}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
