"""``make bench``: wall time and peak memory of the heavy steps, written to bench/results.md.

Each measurement runs in a child process on a fresh LEANETL_HOME so that peak RSS (the child's
``ru_maxrss``, which includes dbt's subprocesses) belongs to that step alone.
"""

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results.md"


WRAP = """
import atexit, json, os, resource
def _report():
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    open(os.environ['BENCH_OUT'], 'w').write(json.dumps([me, kids]))
atexit.register(_report)
"""


def measure(label: str, code: str, home: Path) -> tuple[str, float, float, float]:
    """Wall time, peak RSS of the step's process and of its largest subprocess (dbt), MiB."""
    report = home.parent / f"{home.name}.json"
    env = {
        **os.environ,
        "LEANETL_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "BENCH_OUT": str(report),
    }
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", WRAP + code],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - t0
    me, kids = json.loads(report.read_text())
    return label, wall, me / 1024, kids / 1024


LOAD = """
import datetime as dt, csv
from pathlib import Path
from leanetl.sample.volunteers import generate_signups
from leanetl.lib.van_signups import REQUIRED_COLUMNS, load_signup_files
import os
home = Path(os.environ['LEANETL_HOME']); home.mkdir(parents=True, exist_ok=True)
rows = generate_signups(dt.date(2025, 3, 14), scale={scale}, weeks_back=52)
path = home / 'event_signups_big.csv'
with path.open('w', newline='') as f:
    w = csv.DictWriter(f, fieldnames=list(REQUIRED_COLUMNS)); w.writeheader(); w.writerows(rows)
print(len(load_signup_files([path]).rows))
"""


def main() -> int:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "demo"
        results.append(
            measure(
                "demo graph, 14 days (make demo)",
                "from leanetl.demo import main; main(['--days', '14'])",
                home,
            )
        )
        for scale in (1, 10):
            rows_note = f"sample CSV parse, 52 weeks x{scale} events"
            results.append(measure(rows_note, LOAD.format(scale=scale), Path(tmp) / f"load{scale}"))
    lines = [
        f"# Benchmarks ({dt.date.today()}, {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()})",
        "",
        "| step | wall time (s) | peak RSS, Python process (MiB) | peak RSS, largest subprocess e.g. dbt (MiB) |",
        "|---|---|---|---|",
        *[f"| {label} | {wall:.1f} | {me:.0f} | {kids:.0f} |" for label, wall, me, kids in results],
    ]
    OUT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
