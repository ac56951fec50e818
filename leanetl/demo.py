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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from dagster import DagsterInstance, ExecuteInProcessResult
    from tqdm import tqdm

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


def query_hint(sql: str, database: Path | None = None) -> str:
    """A command that runs ``sql`` with the venv's duckdb (the package ships no CLI)."""
    connect = f"duckdb.connect('{database}', read_only=True)" if database else "duckdb"
    return f'.venv/bin/python -c "import duckdb; {connect}.sql(\\"{sql}\\").show()"'


JOBS = {
    "volunteers": "volunteers_daily",
    "leads": "leads_daily",
    "campaigns": "campaigns_refresh",
    "web_events": "web_events_transform",
    "chatfuel": "chatfuel_daily",
}


@dataclass
class DomainRun:
    """What one domain's run (or runs, one a day) did: for the summary table."""

    domain: str
    runs: int = 0
    seconds: float = 0.0
    rows: int = 0
    checks: int = 0
    failed_checks: list[str] = field(default_factory=list)
    ok: bool = True


def _rows_written(result: "ExecuteInProcessResult") -> int:
    """Rows the run's materialisations report: each day of a range records its own count."""
    per_partition: dict[tuple[str, str | None], int] = {}
    for event in result.all_events:
        if event.event_type_value != "ASSET_MATERIALIZATION":
            continue
        materialization = event.step_materialization_data.materialization
        value = materialization.metadata.get("dagster/row_count")
        key = (materialization.asset_key.to_user_string(), materialization.partition)
        if value is not None:
            per_partition[key] = int(value.value)
    return sum(per_partition.values())


def _record(record: DomainRun, result: "ExecuteInProcessResult", seconds: float) -> None:
    checks = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    record.runs += 1
    record.seconds += seconds
    record.rows += _rows_written(result)
    record.checks += len(checks)
    record.failed_checks += [c.check_name for c in checks if not c.passed]
    record.ok = record.ok and result.success


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

    job = defs.resolve_job_def(JOBS[domain])
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
            _record(record, result, time.monotonic() - started)
            if not result.success:
                print(f"run {result.run_id} failed; see {log} or `make dev`", file=sys.stderr)
                break
    return record


def summary_table(records: list[DomainRun], days: int, wall: float) -> str:
    """One line per domain: runs, rows, checks passed, seconds; then the totals, with the wall
    time of all the runs (domains that ran alongside others overlap)."""
    lines = [
        f"{'domain':<11} {'days':>4} {'runs':>4} {'rows written':>12} {'checks passed':>13} {'seconds':>7}",
    ]
    for r in records:
        passed = f"{r.checks - len(r.failed_checks)}/{r.checks}"
        lines.append(
            f"{r.domain:<11} {days:>4} {r.runs:>4} {r.rows:>12,} {passed:>13} {r.seconds:>7.1f}"
            + ("" if r.ok else "  FAILED")
            + (f"  failed: {', '.join(sorted(set(r.failed_checks)))}" if r.failed_checks else "")
        )
    total = wall
    lines.append(
        f"{'all':<11} {days:>4} {sum(r.runs for r in records):>4} {sum(r.rows for r in records):>12,} "
        f"{sum(r.checks - len(r.failed_checks) for r in records):>6}/{sum(r.checks for r in records):<6} {total:>7.1f}"
        "  (wall time of all runs)"
    )
    return "\n".join(lines)


# Runs beside the other domains: it writes only Parquet (no DuckDB, whose file has one writer
# at a time) and spends much of its time waiting on Spark's JVM.
ALONGSIDE = "leads"


def _start_alongside(
    args: argparse.Namespace, log: Path
) -> tuple[subprocess.Popen[bytes], Path] | None:
    """The leads domain in a child process of its own, started now."""
    if ALONGSIDE not in args.domains or len(args.domains) == 1:
        return None
    record = log.with_name("demo-leads.json")
    record.unlink(missing_ok=True)
    command = [sys.executable, "-m", "leanetl.demo", "--days", str(args.days)]
    command += ["--domains", ALONGSIDE, "--record", str(record)]
    with log.open("ab") as out:
        child = subprocess.Popen(command, stdout=out, stderr=out)
    return child, record


def _finish_alongside(child: subprocess.Popen[bytes], record: Path) -> DomainRun:
    child.wait()
    if not record.exists():
        return DomainRun(ALONGSIDE, ok=False)
    return DomainRun(**json.loads(record.read_text()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=14, help="how many days back (default 14)")
    parser.add_argument(
        "--per-day",
        action="store_true",
        help="one run per day and domain (the anchor the single runs are measured against)",
    )
    parser.add_argument("--domains", nargs="*", default=list(JOBS), choices=list(JOBS))
    parser.add_argument("--record", help=argparse.SUPPRESS)  # a child's summary, as JSON
    args = parser.parse_args(argv)

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
    terminal = os.fdopen(os.dup(1), "w", buffering=1)  # the bars: the terminal, not the log
    if args.record:  # the child that runs a domain alongside: no bar, its summary to a file
        terminal = open(os.devnull, "w")  # noqa: SIM115 - closed with the process
    alongside = _start_alongside(args, log) if not args.per_day and not args.record else None
    if alongside:
        print(f"{ALONGSIDE:<11}: running alongside the others (its own process; no bar)")
    records = []
    for domain in args.domains:
        if alongside and domain == ALONGSIDE:
            continue
        records.append(run_domain(domain, days, args.per_day, instance, log, terminal))
        if not records[-1].ok:
            break
    if alongside:
        records.append(_finish_alongside(*alongside))
        records.sort(key=lambda r: args.domains.index(r.domain))
    wall = time.monotonic() - started
    if args.record:
        Path(args.record).write_text(json.dumps(asdict(records[0])))
        return 0 if records[0].ok else 1
    print()
    print(summary_table(records, len(days), wall))
    if not all(r.ok for r in records):
        return 1
    lake = Path(current.lake_url)
    print(f"\ndone in {time.monotonic() - started:.0f}s. Results:")
    print(f"  warehouse (DuckDB) {current.duckdb_path}")
    print(
        "      "
        + query_hint(
            f"select * from volunteers.flake_rate_weekly where as_of_date = '{days[-1]}'",
            current.duckdb_path,
        )
    )
    print(f"  Parquet lake       {lake}")
    print(f"  dashboards         {lake / 'dashboards'}")
    print(
        f"      latest: {lake / 'dashboards/volunteers/flake_rate' / f'dt={days[-1]}' / 'index.html'}"
    )
    print(f"      leads:  {lake / 'dashboards/leads/answers' / f'dt={days[-1]}' / 'index.html'}")
    print(
        f"      campaigns: {lake / 'dashboards/campaigns/spend_and_reach' / f'dt={days[-1]}' / 'index.html'}"
    )
    print(
        f"      chatfuel: {lake / 'dashboards/chatfuel/subscribers' / f'dt={days[-1]}' / 'index.html'}"
    )
    print(f"  leads answers      {lake / 'leads'}/<answer>/dt=<day>/data.parquet")
    top = lake / "leads/top_countries" / f"dt={days[-1]}" / "data.parquet"
    print("      " + query_hint(f"select * from '{top}'"))
    print(f"  leads sources      {current.leads.source_url} (sample export + companies)")
    stats = lake / "campaigns/campaign_stats" / f"dt={days[-1]}" / "data.parquet"
    print(f"  campaign stats     {stats}")
    print(
        "      "
        + query_hint(
            f"select campaign_name, spend, reach, conversions, cost_per_result from '{stats}' "
            "where level = 'campaign'"
        )
    )
    print(f"  reach maps         {current.campaigns.maps_url}/reach-maps/<campaign>/reach_map.html")
    print(
        f"  embedded Mongo     {current.mongo_dir} (campaigns db: campaigns, contributions, "
        "expenditures, canvases)"
    )
    print(f"  web events         {current.web_events.url}/transformed/<table>/dt=<day>/*.parquet")
    print(
        "      "
        + query_hint(
            "select event, count(*) as n from web_events.tracks group by 1 order by 2 desc",
            current.duckdb_path,
        )
    )
    print(
        f"  chatfuel           {current.chatfuel.source_url} (sample exports) and the sample "
        f"bot's broadcasts -> chatfuel.*, messages in {current.chatfuel.entries_url}"
    )
    for sql in (
        "select attribute, count(*) as n from chatfuel.attribute_events "
        f"where dt = '{days[-1]}' group by 1 order by 2 desc limit 10",
        "select as_of_date, reachable, blocked, engagement_lead, engagement_hot_lead, "
        "engagement_advocate, engagement_hero, opinion_support, opinion_oppose "
        "from chatfuel.users_daily order by 1",
    ):
        print("      " + query_hint(sql, current.duckdb_path))
    print("  UI with every run: make dev, then http://127.0.0.1:3000")
    return 0


if __name__ == "__main__":
    sys.exit(main())
