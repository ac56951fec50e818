"""`make demo`'s driver on a fresh home, as `make demo` starts it (its own process): one run per
domain over the days, leads in a process of its own alongside, a summary table, and the Dagster
instance `make dev` opens holding every run."""

import os
import subprocess
import sys

import dagster as dg
import pytest

pytestmark = pytest.mark.slow


def test_demo_runs_each_domain_once_over_the_days_and_sums_up(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEANETL_", "DAGSTER_"))}
    env["LEANETL_HOME"] = str(tmp_path)
    command = [sys.executable, "-m", "leanetl.demo", "--days", "3"]
    done = subprocess.run(
        [*command, "--domains", "web_events", "leads"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "leads      : running alongside the others" in out
    table = out[out.index("domain ") : out.index("done in")]
    rows = {line.split()[0]: line.split() for line in table.splitlines()[1:] if line.strip()}
    assert rows["web_events"][1:3] == ["3", "1"] and rows["leads"][1:3] == ["3", "1"]
    assert rows["leads"][4] == "10/10" and rows["web_events"][4] == "4/4"
    assert any(
        line.startswith("all ") and line.endswith("(wall time of all runs)")
        for line in table.splitlines()
    )
    instance = dg.DagsterInstance.from_config(str(tmp_path / "dagster"))
    runs = instance.get_runs()
    assert sorted(r.job_name for r in runs) == ["leads_daily", "web_events_transform"]
    assert all(r.is_success for r in runs)
    assert all(r.tags["dagster/asset_partition_range_start"] for r in runs)
