"""Runs whose process is gone are marked failed, so the local run queue moves on.

Dagster's local run launcher cannot tell that a run's process was killed (SIGKILL, the OOM killer,
a closed laptop lid mid-run): such a run stays STARTED forever, and with one run at a time
allowed locally nothing else is ever launched. This sensor looks at every STARTED run, finds the
process that runs it (the ``pid`` of its "Started process for run" engine event, or the
``leanetl/worker_pid`` tag that ``make demo`` sets), and reports the run failed when that process
no longer exists.
"""

import datetime as dt

import dagster as dg
import psutil

WORKER_PID_TAG = "leanetl/worker_pid"
GRACE_SECONDS = 30


def worker_pid(instance: dg.DagsterInstance, run: dg.DagsterRun) -> int | None:
    """The PID of the process executing ``run``, if it is known."""
    if run.tags.get(WORKER_PID_TAG, "").isdigit():
        return int(run.tags[WORKER_PID_TAG])
    for record in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        event = record.dagster_event
        metadata = event.engine_event_data.metadata if event and event.engine_event_data else {}
        pid = metadata.get("pid")
        if pid is not None and str(pid.value).isdigit():
            return int(pid.value)
    return None


def process_gone(pid: int, started_at: float) -> bool:
    """Whether ``pid`` no longer runs the process that started at ``started_at`` (epoch s)."""
    try:
        # A recycled PID belongs to a process created after the run started.
        return psutil.Process(pid).create_time() > started_at + 1
    except psutil.NoSuchProcess:
        return True


def fail_dead_runs(instance: dg.DagsterInstance, now: float | None = None) -> list[str]:
    """Mark STARTED runs whose process is gone as failed; returns their run ids."""
    now = now if now is not None else dt.datetime.now(dt.UTC).timestamp()
    failed = []
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])
    )
    for record in records:
        run = record.dagster_run
        started = record.start_time or record.create_timestamp.timestamp()
        if now - started < GRACE_SECONDS:
            continue
        pid = worker_pid(instance, run)
        if pid is None or not process_gone(pid, started):
            continue
        instance.report_run_failed(
            run,
            f"The process running this run (pid {pid}) is gone: it was killed or crashed. "
            "Marked failed by leanetl's fail_dead_runs sensor so that queued runs can start.",
        )
        failed.append(run.run_id)
    return failed


def build_dead_runs_sensor() -> dg.SensorDefinition:
    @dg.sensor(
        name="fail_dead_runs",
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            "Every minute: a STARTED run whose process no longer exists (killed, crashed) is "
            "marked failed, so the one-run-at-a-time local queue moves on."
        ),
    )
    def fail_dead_runs_sensor(context: dg.SensorEvaluationContext) -> dg.SkipReason:
        failed = fail_dead_runs(context.instance)
        return dg.SkipReason(
            f"marked failed: {', '.join(failed)}" if failed else "every started run is alive"
        )

    return fail_dead_runs_sensor
