"""``make demo``: materialise every asset for the last N days on the embedded local stores.

Runs against a persistent Dagster instance under ``$LEANETL_HOME/dagster`` so that ``make dev``
afterwards shows every run, materialisation and check result in the UI.
"""

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=14, help="how many days back (default 14)")
    args = parser.parse_args(argv)

    from leanetl.settings import settings

    current = settings()
    if not current.is_local:
        print("make demo runs on the local environment only; unset LEANETL_ENV", file=sys.stderr)
        return 2
    dagster_home = prepare_dagster_home(current.home)

    import dagster as dg

    from leanetl.definitions import defs
    from leanetl.defs.run_health import WORKER_PID_TAG

    # The instance `make dev` opens afterwards (DAGSTER_HOME=$LEANETL_HOME/dagster there).
    instance = dg.DagsterInstance.from_config(str(dagster_home))
    yesterday = current.today() - dt.timedelta(days=1)
    days = [yesterday - dt.timedelta(days=n) for n in range(args.days - 1, -1, -1)]
    days = [d for d in days if d >= current.start_date]
    jobs = [
        "volunteers_daily",
        "leads_daily",
        "campaigns_refresh",
        "web_events_transform",
        "chatfuel_daily",
    ]
    log = current.home / "demo.log"
    print(f"leanetl demo: {len(days)} days ({days[0]} to {days[-1]}), home {current.home}")
    print(f"  (Dagster and dbt logs go to {log})", flush=True)
    started = time.monotonic()
    for i, day in enumerate(days, 1):
        for job_name in jobs:
            t0 = time.monotonic()
            job = defs.resolve_job_def(job_name)
            with output_to(log):
                result = job.execute_in_process(
                    partition_key=day.isoformat(),
                    instance=instance,
                    raise_on_error=False,
                    # If this process is killed, fail_dead_runs can tell the run is dead.
                    tags={WORKER_PID_TAG: str(os.getpid())},
                )
            checks = [
                e.asset_check_evaluation_data
                for e in result.all_events
                if e.event_type_value == "ASSET_CHECK_EVALUATION"
            ]
            failed = [c.check_name for c in checks if not c.passed]
            status = "ok" if result.success else "FAILED"
            print(
                f"[{i:>2}/{len(days)}] {day} {job_name:<18} {status}  "
                f"{len(checks)} checks, {len(failed)} failed{': ' + ', '.join(failed) if failed else ''}"
                f"  ({time.monotonic() - t0:.1f}s)",
                flush=True,
            )
            if not result.success:
                print(f"run {result.run_id} failed; see {log} or `make dev`", file=sys.stderr)
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
