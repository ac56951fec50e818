"""``make demo``: materialise every asset for the last N days on the embedded local stores.

Runs against a persistent Dagster instance under ``$LEANETL_HOME/dagster`` so that ``make dev``
afterwards shows every run, materialisation and check result in the UI.
"""

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from leanetl.demo_summary import DomainRun, record_run, summary_table
from leanetl.domains import domains

if TYPE_CHECKING:
    from dagster import DagsterInstance
    from tqdm import tqdm

    from leanetl.settings import Settings

# The tags of a run over a range of partitions (what a single-run backfill launches).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

INSTANCE_HEADER = "# Written by leanetl (make demo / make dev)."
INSTANCE_YAML = f"""\
{INSTANCE_HEADER} Local instance settings; rewritten when leanetl's change.
nux:
  enabled: false
telemetry:
  enabled: false
run_queue:
  # DuckDB has one writer at a time: local runs go one after another.
  max_concurrent_runs: 1
run_monitoring:
  # A run that never starts or never finishes cancelling is failed instead of holding the queue;
  # a run whose process was killed is failed by leanetl's fail_dead_runs sensor.
  enabled: true
  start_timeout_seconds: 180
  cancel_timeout_seconds: 180
  max_resume_run_attempts: 0
  poll_interval_seconds: 30
"""


def prepare_dagster_home(home: Path) -> Path:
    """``$LEANETL_HOME/dagster`` with its dagster.yaml (``make dev`` points DAGSTER_HOME at it).

    A dagster.yaml that leanetl wrote is brought up to date; one a person wrote is kept.
    """
    dagster_home = home / "dagster"
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists() or (
        config.read_text().startswith(INSTANCE_HEADER) and config.read_text() != INSTANCE_YAML
    ):
        config.write_text(INSTANCE_YAML)
    return dagster_home


@contextmanager
def output_to(log: Path) -> Iterator[None]:
    """Send everything written to stdout/stderr (Dagster's and dbt's logs) to ``log``."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log.open("ab") as handle:
        os.dup2(handle.fileno(), 1)
        os.dup2(handle.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def demo_jobs() -> dict[str, str]:
    """Each domain's job the demo runs (its ``DOMAIN.demo_job``), in the domains' order."""
    return {d.name: d.demo_job for d in domains() if d.demo_job}


def alongside_domains() -> list[str]:
    """The domains that run in processes of their own beside the others (``demo_alongside``:
    they write no DuckDB, whose file has one writer at a time)."""
    return [d.name for d in domains() if d.demo_job and d.demo_alongside]


class StepProgress:
    """A progress bar of a run's steps, fed by polling the instance's event log from a thread
    (the run itself holds the main thread; its logs go to the demo log, the bar to the terminal)."""

    def __init__(self, instance: "DagsterInstance", run_id: str, bar: "tqdm", base: int) -> None:
        # The bar counts the steps of every run of the domain; this run's start at ``base``.
        self._instance, self._run_id, self._bar, self._base = instance, run_id, bar, base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        import dagster as dg

        while not self._stop.wait(0.5):
            steps = self._instance.all_logs(self._run_id, of_type=dg.DagsterEventType.STEP_SUCCESS)
            done = min(self._base + len(steps), self._bar.total)
            if done != self._bar.n:  # a line in a log only when a step finished
                self._bar.n = done
                self._bar.refresh()

    def __enter__(self) -> "StepProgress":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_domain(
    domain: str,
    days: list[dt.date],
    per_day: bool,
    instance: "DagsterInstance",
    log: Path,
    terminal: TextIO,
) -> DomainRun:
    """The domain's job over ``days``: one run for the range (as a single-run backfill launches
    it), or with ``per_day`` one run a day; a progress bar of steps on ``terminal``."""
    from tqdm import tqdm

    from leanetl.definitions import defs
    from leanetl.defs.run_health import WORKER_PID_TAG

    job = defs.resolve_job_def(demo_jobs()[domain])
    record = DomainRun(domain)
    batches = [[day] for day in days] if per_day else [days]
    steps = len(job.graph.nodes)
    with tqdm(
        total=steps * len(batches), desc=f"{domain:<11}", unit="step", file=terminal, leave=True
    ) as bar:
        for batch in batches:
            tags = {
                WORKER_PID_TAG: str(os.getpid())
            }  # if this process dies, fail_dead_runs can tell
            if len(batch) > 1:
                tags |= {
                    RANGE_START_TAG: batch[0].isoformat(),
                    RANGE_END_TAG: batch[-1].isoformat(),
                }
            run_id = str(uuid.uuid4())
            started = time.monotonic()
            base = bar.n
            with StepProgress(instance, run_id, bar, base), output_to(log):
                result = job.execute_in_process(
                    partition_key=batch[0].isoformat() if len(batch) == 1 else None,
                    instance=instance,
                    raise_on_error=False,
                    run_id=run_id,
                    tags=tags,
                )
            bar.n = base + steps
            bar.refresh()
            record_run(record, result, time.monotonic() - started)
            if not result.success:
                print(f"run {result.run_id} failed; see {log} or `make dev`", file=sys.stderr)
                break
    return record


Alongside = tuple[str, subprocess.Popen[bytes], Path]  # domain, its process, its summary file


def _start_alongside(args: argparse.Namespace, log: Path) -> list[Alongside]:
    """Each domain that runs beside the others, in a child process of its own, started now."""
    if args.per_day or args.record or len(args.domains) == 1:
        return []
    started = []
    for domain in (d for d in alongside_domains() if d in args.domains):
        record = log.with_name(f"demo-{domain}.json")
        record.unlink(missing_ok=True)
        command = [sys.executable, "-m", "leanetl.demo", "--days", str(args.days)]
        command += ["--domains", domain, "--record", str(record)]
        with log.open("ab") as out:
            started.append((domain, subprocess.Popen(command, stdout=out, stderr=out), record))
    return started


def _finish_alongside(domain: str, child: subprocess.Popen[bytes], record: Path) -> DomainRun:
    child.wait()
    if not record.exists():
        return DomainRun(domain, ok=False)
    return DomainRun(**json.loads(record.read_text()))


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=14, help="how many days back (default 14)")
    parser.add_argument(
        "--per-day",
        action="store_true",
        help="one run per day and domain (the anchor the single runs are measured against)",
    )
    jobs = list(demo_jobs())
    parser.add_argument("--domains", nargs="*", default=jobs, choices=jobs)
    parser.add_argument("--record", help=argparse.SUPPRESS)  # a child's summary, as JSON
    return parser.parse_args(argv)


def run_domains(
    args: argparse.Namespace, days: list[dt.date], instance: "DagsterInstance", log: Path
) -> list[DomainRun]:
    """Every domain asked for: those that run alongside in their own processes, the others one
    after another here (a bar each on the terminal); stops at the first that fails."""
    terminal = os.fdopen(os.dup(1), "w", buffering=1)  # the bars: the terminal, not the log
    if args.record:  # the child that runs a domain alongside: no bar, its summary to a file
        terminal = open(os.devnull, "w")  # noqa: SIM115 - closed with the process
    alongside = _start_alongside(args, log)
    for domain, _, _ in alongside:
        print(f"{domain:<11}: running alongside the others (its own process; no bar)")
    beside = {domain for domain, _, _ in alongside}
    records = []
    for domain in (d for d in args.domains if d not in beside):
        records.append(run_domain(domain, days, args.per_day, instance, log, terminal))
        if not records[-1].ok:
            break
    records += [_finish_alongside(*child) for child in alongside]
    return sorted(records, key=lambda r: args.domains.index(r.domain))


def print_results(current: "Settings", days: list[dt.date], seconds: float) -> None:
    """Where the results are: the stores, then each domain's ``sample.demo_results``."""
    lake = Path(current.lake_url)
    print(f"\ndone in {seconds:.0f}s. Results:")
    print(f"  warehouse (DuckDB) {current.duckdb_path}")
    print(f"  Parquet lake       {lake}")
    print(f"  dashboards         {lake / 'dashboards'}/<domain>/<page>/dt=<day>/index.html")
    for domain in domains():
        results = domain.hook("sample", "demo_results")
        for line in results(current, days) if results else []:
            print(f"  {line}")
    print("  UI with every run: make dev, then http://127.0.0.1:3000")


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    from leanetl.settings import settings

    current = settings()
    if not current.is_local:
        print("make demo runs on the local environment only; unset LEANETL_ENV", file=sys.stderr)
        return 2
    dagster_home = prepare_dagster_home(current.home)

    import dagster as dg

    # The instance `make dev` opens afterwards (DAGSTER_HOME=$LEANETL_HOME/dagster there).
    instance = dg.DagsterInstance.from_config(str(dagster_home))
    from leanetl.sample.prepare import demo_days, prepare

    days = demo_days(current, args.days)
    if not args.record:  # the child running a domain alongside finds them prepared
        # The demo asks for the sample: its sources, then the home's sample APIs (re-read).
        prepare(current, [*days, current.today()])
        settings.cache_clear()
        current = settings()
    log = current.home / "demo.log"
    how = "one run a day per domain" if args.per_day else "one run per domain for all days"
    print(f"leanetl demo: {len(days)} days ({days[0]} to {days[-1]}), {how}, home {current.home}")
    print(f"  (Dagster and dbt logs go to {log})", flush=True)
    started = time.monotonic()
    records = run_domains(args, days, instance, log)
    wall = time.monotonic() - started
    if args.record:
        Path(args.record).write_text(json.dumps(asdict(records[0])))
        return 0 if records[0].ok else 1
    print()
    print(summary_table(records, len(days), wall))
    if not all(r.ok for r in records):
        return 1
    print_results(current, days, time.monotonic() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
