"""dbt and Spark end with the run process that started them, even when it is SIGKILLed."""

import contextlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from leanetl.dbt_project import dbt_executable

pytestmark = pytest.mark.slow

# A dbt project whose only macro runs a query that takes minutes on DuckDB.
PROJECT = """
name: slow
version: "1.0"
flags:
  send_anonymous_usage_stats: false
config-version: 2
profile: slow
macro-paths: ["macros"]
"""
PROFILES = """
slow:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{home}/slow.duckdb"
"""
MACRO = """
{% macro forever() %}
  {% do run_query("select count(*) from range(1000000000000) a where a.range % 7 = 3") %}
{% endmacro %}
"""
PARENT = """
import subprocess, sys, time
child = subprocess.Popen(sys.argv[1:])
print(child.pid, flush=True)
time.sleep(600)
"""


def wait_gone(pid: int, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.2)
    return False


def children_die_with_parent(command: list[str], ready: str, log: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, *command], stdout=subprocess.PIPE, text=True
    )
    child_pid = int(parent.stdout.readline())
    try:
        deadline = time.monotonic() + 120
        while ready not in (log.read_text() if log.exists() else ""):
            assert time.monotonic() < deadline, f"{command} did not get going"
            assert not wait_gone(child_pid, timeout=0), f"{command} ended early: see {log}"
            time.sleep(0.5)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        assert wait_gone(child_pid), f"{command[0]} (pid {child_pid}) outlived its killed parent"
    finally:
        for pid in (parent.pid, child_pid):
            with contextlib.suppress(psutil.NoSuchProcess):
                psutil.Process(pid).kill()


def test_dbt_ends_with_a_killed_run(tmp_path) -> None:
    assert Path(dbt_executable()).name == "leanetl-dbt"
    (tmp_path / "macros").mkdir()
    (tmp_path / "dbt_project.yml").write_text(PROJECT)
    (tmp_path / "profiles.yml").write_text(PROFILES.format(home=tmp_path))
    (tmp_path / "macros" / "forever.sql").write_text(MACRO)
    log = tmp_path / "logs" / "dbt.log"
    children_die_with_parent(
        [
            dbt_executable(),
            "run-operation",
            "forever",
            "--project-dir",
            str(tmp_path),
            "--profiles-dir",
            str(tmp_path),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        "from range(1000000000000)",  # dbt logs the query as it sends it
        log,
    )


SPARK_RUN = """
import sys
from pyspark.sql import SparkSession
spark = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").getOrCreate()
jvm = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
open(sys.argv[1], "w").write(str(jvm))
import time; time.sleep(600)
"""


def test_the_spark_jvm_ends_with_a_killed_run(tmp_path) -> None:
    pid_file = tmp_path / "jvm.pid"
    run = subprocess.Popen([sys.executable, "-c", SPARK_RUN, str(pid_file)])
    try:
        deadline = time.monotonic() + 120
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline and run.poll() is None, "Spark did not start"
            time.sleep(0.5)
        jvm = int(pid_file.read_text())
        assert psutil.pid_exists(jvm)
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=10)
        # PySpark's gateway JVM exits when the Python process's end of its stdin closes.
        assert wait_gone(jvm, timeout=30), f"the Spark JVM (pid {jvm}) outlived its run"
    finally:
        if run.poll() is None:
            run.kill()
