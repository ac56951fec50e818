"""Killed runs: the local instance's run monitoring, and fail_dead_runs marking a run whose
process was SIGKILLed as failed (so the one-run-at-a-time queue moves on)."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import yaml

from leanetl.defs.run_health import WORKER_PID_TAG, fail_dead_runs

RUN_WORKER = """
import os, sys, time
import dagster as dg

@dg.op
def wait_forever():
    print("running", flush=True)
    time.sleep(600)

@dg.job
def slow_job():
    wait_forever()

tags = {"leanetl/worker_pid": str(os.getpid())} if sys.argv[2] == "tagged" else {}
instance = dg.DagsterInstance.local_temp(tempdir=sys.argv[1])
slow_job.execute_in_process(instance=instance, tags=tags)
"""


def start_run(home: Path, mode: str) -> subprocess.Popen:
    worker = subprocess.Popen(
        [sys.executable, "-c", RUN_WORKER, str(home), mode], stdout=subprocess.PIPE, text=True
    )
    assert worker.stdout.readline().strip() == "running"
    return worker


def test_a_killed_run_is_marked_failed_and_a_live_one_is_not(tmp_path) -> None:
    killed = start_run(tmp_path, "tagged")
    alive = start_run(tmp_path, "untagged")
    try:
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=10)
        instance = dg.DagsterInstance.local_temp(tempdir=str(tmp_path))
        runs = {r.tags.get(WORKER_PID_TAG): r for r in instance.get_runs()}
        dead_run, live_run = runs[str(killed.pid)], runs[None]
        assert dead_run.status == live_run.status == dg.DagsterRunStatus.STARTED
        # Within the grace period nothing is touched; after it, only the dead run.
        assert fail_dead_runs(instance) == []
        assert fail_dead_runs(instance, now=time.time() + 60) == [dead_run.run_id]
        assert instance.get_run_by_id(dead_run.run_id).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(live_run.run_id).status == dg.DagsterRunStatus.STARTED
        failure = instance.all_logs(dead_run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
        assert f"pid {killed.pid}" in failure[0].dagster_event.message
        # The untagged run is found by the pid of its "started process" engine event.
        alive.send_signal(signal.SIGKILL)
        alive.wait(timeout=10)
        assert fail_dead_runs(instance, now=time.time() + 60) == [live_run.run_id]
    finally:
        for worker in (killed, alive):
            if worker.poll() is None:
                worker.kill()


def test_the_local_instance_monitors_runs_and_is_kept_up_to_date(tmp_path, monkeypatch) -> None:
    from leanetl.demo import INSTANCE_YAML, prepare_dagster_home

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))  # prepare_dagster_home exports it

    config = prepare_dagster_home(tmp_path) / "dagster.yaml"
    settings = yaml.safe_load(config.read_text())
    assert settings["run_monitoring"]["enabled"] is True
    assert settings["run_queue"]["max_concurrent_runs"] == 1
    # An older leanetl-written file is brought up to date; a person's own file is kept.
    config.write_text(INSTANCE_YAML.split("run_monitoring")[0])
    prepare_dagster_home(tmp_path)
    assert config.read_text() == INSTANCE_YAML
    config.write_text("telemetry:\n  enabled: false\n")
    prepare_dagster_home(tmp_path)
    assert config.read_text() == "telemetry:\n  enabled: false\n"


def test_the_dead_runs_sensor_runs_by_default_locally_only(leanetl_home, monkeypatch) -> None:
    from leanetl.definitions import build_defs
    from leanetl.settings import load_settings

    sensor = build_defs(load_settings()).resolve_sensor_def("fail_dead_runs")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    automation = build_defs(load_settings()).resolve_sensor_def(
        "default_automation_condition_sensor"
    )
    assert automation.default_status == dg.DefaultSensorStatus.RUNNING
