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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results.md"


WRAP = """
import atexit, json, os, resource, threading, time, psutil
_peak = [0]
def _sample():
    me = psutil.Process()
    while True:
        try:
            procs = [me, *me.children(recursive=True)]
            _peak[0] = max(_peak[0], sum(p.memory_info().rss for p in procs))
        except psutil.Error:
            pass
        time.sleep(0.2)
threading.Thread(target=_sample, daemon=True).start()
def _report():
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    open(os.environ['BENCH_OUT'], 'w').write(json.dumps([me, kids, _peak[0] / 1024]))
atexit.register(_report)
"""


def measure(label: str, code: str, home: Path) -> tuple[str, float, float, float, float]:
    """Wall time; peak RSS of the step's process, of its largest subprocess (dbt, the JVM) and
    of the whole process tree sampled every 0.2 s; MiB."""
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
    me, kids, tree = json.loads(report.read_text())
    return label, wall, me / 1024, kids / 1024, tree / 1024


LOAD = """
import datetime as dt, csv
from pathlib import Path
from leanetl.sample.volunteers import generate_signups
from leanetl.lib.volunteers.signups import REQUIRED_COLUMNS, load_signup_files
import os
home = Path(os.environ['LEANETL_HOME']); home.mkdir(parents=True, exist_ok=True)
rows = generate_signups(dt.date(2025, 3, 14), scale={scale}, weeks_back=52)
path = home / 'event_signups_big.csv'
with path.open('w', newline='') as f:
    w = csv.DictWriter(f, fieldnames=list(REQUIRED_COLUMNS)); w.writeheader(); w.writerows(rows)
print(len(load_signup_files([path]).rows))
"""


LEADS_GENERATE = """
import datetime as dt, os
import pyarrow as pa, pyarrow.parquet as pq
from leanetl.sample.leads import generate_leads
rows, chunk = {rows}, 1_000_000
writer = None
for i, start in enumerate(range(0, rows, chunk)):
    frame = generate_leads(min(chunk, rows - start), dt.date(2024, 1, 1), dt.date(2025, 12, 31), seed=i)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    writer = writer or pq.ParquetWriter('{raw}', table.schema)
    writer.write_table(table)
writer.close()
"""

# Each reads the raw file as its input arrives: the pipeline's step gets an Arrow table (the
# Parquet IO manager's ``arrow_input``), the pandas reference a frame.
LEADS_READ_ARROW = "read_parquet_table(Path('{raw}').read_bytes(), REPEATED_COLUMNS)"
LEADS_READ_FRAME = "read_parquet_bytes(Path('{raw}').read_bytes())"
LEADS_CLEAN = """
import pandas as pd
from leanetl.lib.leads.{module} import {function} as clean
from leanetl.lib.leads.dedupe import REPEATED_COLUMNS
from leanetl.lib.parquet import read_parquet_bytes, read_parquet_table
from pathlib import Path
raw = {read}
cleaned = clean(raw, 'America/Chicago', 'bench')
cleaned.rows.to_parquet('{clean}')
print(len(cleaned.rows), len(cleaned.quarantine))
"""

LEADS_SPARK = """
import datetime as dt
from pyspark.sql import SparkSession
from leanetl.lib.leads.answers import spark_answers
from leanetl.resources import spark_config
from leanetl.settings import load_settings
builder = SparkSession.builder
for key, value in spark_config(load_settings()).items():
    builder = builder.config(key, value)
spark = builder.getOrCreate()
answers = spark_answers(spark, '{clean}', '{companies}', dt.date(2025, 12, 31))
spark.stop()
"""

LEADS_PANDAS = """
import datetime as dt
import pandas as pd
from leanetl.lib.leads.answers import pandas_answers
answers = pandas_answers(pd.read_parquet('{clean}'), pd.read_parquet('{companies}'), dt.date(2025, 12, 31))
"""

COMPANIES = """
from leanetl.lib.leads.clean import clean_companies
from leanetl.sample.leads import generate_companies
clean_companies(generate_companies()).rows.to_parquet('{companies}')
"""


def leads_bench(tmp: Path, sizes: list[int]) -> list[tuple[str, float, float, float, float]]:
    """Cleaning (pandas) then the four answers in Spark SQL and in pandas, per size."""
    results = []
    companies = tmp / "companies.parquet"
    env = {**os.environ, "LEANETL_HOME": str(tmp / "leads-home")}
    subprocess.run(
        [sys.executable, "-c", COMPANIES.format(companies=companies)], check=True, env=env
    )
    for rows in sizes:
        raw, clean = tmp / f"raw{rows}.parquet", tmp / f"clean{rows}.parquet"
        code = LEADS_GENERATE.format(rows=rows, raw=raw)
        subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT)
        label = f"{rows / 1e6:g}M leads"
        names = {"raw": raw, "clean": clean, "companies": companies}
        duckdb_clean = (
            LEADS_CLEAN.replace("{module}", "dedupe")
            .replace("{function}", "clean_leads")
            .replace("{read}", LEADS_READ_ARROW)
        )
        pandas_clean = (
            LEADS_CLEAN.replace("{module}", "clean")
            .replace("{function}", "clean_leads_pandas")
            .replace("{read}", LEADS_READ_FRAME)
        )
        for step, code in (
            ("clean + dedupe (pandas reference)", pandas_clean),
            ("clean + dedupe (DuckDB)", duckdb_clean),
            ("four answers, Spark SQL local[*] (incl. JVM start)", LEADS_SPARK),
            ("four answers, pandas", LEADS_PANDAS),
        ):
            results.append(
                measure(f"{label}: {step}", code.format(**names), tmp / f"l{rows}{len(results)}")
            )
        for path in (raw, clean):
            path.unlink()
    return results


MONGO_UPSERTS = """
import json
from bench.mongo_upserts import run
open('{out}', 'w').write(json.dumps(run('{mode}', '{store}', {n})))
"""


def mongo_bench(tmp: Path, n: int) -> list[dict[str, Any]]:
    """``upsert_documents`` into the embedded store, one session each (load, upsert, save)."""
    rows = []
    for label, mode, store in (
        ("batched (1,000 per bulk_write), first pass", "batched", "batched"),
        ("batched, second pass (same documents)", "batched", "batched"),
        ("one replace_one per document", "per-document", "per-document"),
    ):
        out = tmp / f"mongo{len(rows)}.json"
        code = MONGO_UPSERTS.format(out=out, mode=mode, store=tmp / store, n=n)
        _, wall, me, _, tree = measure(label, code, tmp / f"mongo-home{len(rows)}")
        rows.append({"label": label, "n": n, "wall": wall, "rss": me, "tree": tree})
        rows[-1].update(json.loads(out.read_text()))
    return rows


def web_events_bench(tmp: Path) -> list[tuple[str, float, float, float, float]]:
    """A day of raw Firehose objects → Parquet per table as transform_web_events does it
    (transform_day: manifest, names, a file per object and table), in one process and on every
    core, beside DuckDB splitting the same corpus per call type and per event (the anchor), and
    DuckDB's one-table copy."""
    from bench.web_events import DUCKDB_ANCHOR, DUCKDB_SPLIT, TRANSFORM, write_corpus

    corpus = tmp / "web-corpus"
    objects, size, records = write_corpus(corpus)
    what = f"{size / 1e6:.0f} MB, {records / 1e3:.0f}K records, {objects} objects"
    steps = [
        (f"web events raw → Parquet per table, one process ({what})", TRANSFORM, {"workers": 1}),
        (f"web events raw → Parquet per table, every core ({what})", TRANSFORM, {"workers": 0}),
        (f"web events anchor: DuckDB read_json → COPY per call type and event ({what})",
         DUCKDB_SPLIT, {}),
        (f"web events anchor: DuckDB read_json → COPY, one table ({what})", DUCKDB_ANCHOR, {}),
    ]  # fmt: skip
    return [
        measure(label, code.format(corpus=corpus, out=tmp / f"web-out{n}", **extra), tmp / f"w{n}")
        for n, (label, code, extra) in enumerate(steps)
    ]


def chatfuel_bench(tmp: Path) -> list[tuple[str, float, float, float, float]]:
    """The contacts export unpivot (what chatfuel_contacts does), and DuckDB's UNPIVOT of the
    same file as the anchor."""
    from bench.chatfuel import DUCKDB_UNPIVOT, UNPIVOT, write_export

    export = tmp / "users_export.csv"
    size = write_export(export)
    what = f"500K users x 1,700 attributes, {size / 1e9:.2f} GB, 12M events"
    names = {"export": export, "out": tmp / "events.parquet", "events": 12_000_000}
    rows = [
        measure(f"chatfuel export unpivot → Parquet ({what})", UNPIVOT.format(**names), tmp / "c1"),
        measure(
            f"chatfuel anchor: DuckDB read_csv + UNPIVOT → Parquet ({what})",
            DUCKDB_UNPIVOT.format(**names),
            tmp / "c2",
        ),
    ]
    export.unlink()
    return rows


BACKFILL = """
import datetime as dt, os
import dagster as dg
from leanetl.definitions import build_defs
from leanetl.sample.volunteers import write_sample_file
from leanetl.settings import load_settings
settings = load_settings()
end = dt.date(2026, 11, 24)
write_sample_file(settings.sources_dir / 'volunteers', end + dt.timedelta(days=1), settings.timezone)
days = [(end - dt.timedelta(days=n)).isoformat() for n in range({days} - 1, -1, -1)]
job = build_defs(settings).resolve_job_def('volunteers_daily')
instance = dg.DagsterInstance.ephemeral()
if {one_run}:
    tags = {{'dagster/asset_partition_range_start': days[0], 'dagster/asset_partition_range_end': days[-1]}}
    assert job.execute_in_process(instance=instance, tags=tags).success
else:
    for day in days:
        assert job.execute_in_process(instance=instance, partition_key=day).success
"""

DEMO = "from leanetl.demo import main; main(['--days', '14'{extra}])"
DEMO_LABEL = "demo, 14 days x 5 domains, one run per domain (make demo)"
DEMO_ANCHOR = "demo, 14 days x 5 domains, one run a day per domain (make demo --per-day)"


def backfill_label(days: int, one_run: bool) -> str:
    span = f"{days} day{'s' if days > 1 else ''}"
    return (
        f"volunteers backfill, {span} in one run"
        if one_run
        else f"volunteers, {span} as {days} one-day runs"
    )


def backfill_bench(tmp: Path) -> list[tuple[str, float, float, float, float]]:
    """The volunteers job over 1, 7, 30 and 90 days as one run each, and 7 days one run a day."""
    cases = [(1, True), (7, True), (30, True), (90, True), (7, False)]
    return [
        measure(
            backfill_label(days, one_run),
            BACKFILL.format(days=days, one_run=one_run),
            tmp / f"backfill{days}{one_run}",
        )
        for days, one_run in cases
    ]


WEB_CORPUS = "202 MB, 414K records, 103 objects"  # what bench/web_events.py writes

# Each heavy step beside its anchor (measured in the same `make bench` where it can be): the
# ratio is step / anchor.
PAIRS = [
    (DEMO_LABEL, DEMO_ANCHOR),
    (backfill_label(7, True), backfill_label(7, False)),
    (backfill_label(90, True), backfill_label(1, True)),
    (backfill_label(30, True), backfill_label(1, True)),
    ("10M leads: clean + dedupe (DuckDB)", "10M leads: clean + dedupe (pandas reference)"),
    ("1M leads: clean + dedupe (DuckDB)", "1M leads: clean + dedupe (pandas reference)"),
    (
        "10M leads: four answers, Spark SQL local[*] (incl. JVM start)",
        "10M leads: four answers, pandas",
    ),
    (
        f"web events raw → Parquet per table, every core ({WEB_CORPUS})",
        f"web events anchor: DuckDB read_json → COPY per call type and event ({WEB_CORPUS})",
    ),
    (
        f"web events raw → Parquet per table, every core ({WEB_CORPUS})",
        f"web events raw → Parquet per table, one process ({WEB_CORPUS})",
    ),
    (
        "chatfuel export unpivot → Parquet (500K users x 1,700 attributes, 0.93 GB, 12M events)",
        "chatfuel anchor: DuckDB read_csv + UNPIVOT → Parquet (500K users x 1,700 attributes, 0.93 GB, 12M events)",
    ),
]


def comparison_table(detail: list[str]) -> list[str]:
    """The one table ``make bench`` prints first: step, its figures, its anchor's, the ratio."""
    figures = {}
    for line in detail:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 5 and cells[1].replace(".", "", 1).isdigit():
            figures[cells[0]] = (float(cells[1]), float(cells[4]))
    lines = [
        "| step | now: wall (s) / peak (MiB) | anchor | anchor: wall (s) / peak (MiB) | ratio (wall) |",
        "|---|---|---|---|---|",
    ]
    for step, anchor in PAIRS:
        if step not in figures or anchor not in figures:
            continue
        (wall, peak), (a_wall, a_peak) = figures[step], figures[anchor]
        lines.append(
            f"| {step} | {wall:.1f} / {peak:.0f} | {anchor} | {a_wall:.1f} / {a_peak:.0f} | "
            f"{wall / a_wall:.2f} |"
        )
    return lines


def main() -> int:
    results: list[tuple[str, float, float, float, float]] = []
    flags = ("--leads", "--mongo", "--web", "--chatfuel", "--backfill")
    only = {flag for flag in flags if flag in sys.argv}
    sizes = [int(n) for n in os.environ.get("BENCH_LEADS_SIZES", "1000000,10000000").split(",")]
    mongo_docs = int(os.environ.get("BENCH_MONGO_DOCS", "100000"))
    with tempfile.TemporaryDirectory() as tmp:
        if not only or "--leads" in only:
            results.extend(leads_bench(Path(tmp), sizes))
        if not only:
            results.append(measure(DEMO_LABEL, DEMO.format(extra=""), Path(tmp) / "demo"))
            results.append(
                measure(DEMO_ANCHOR, DEMO.format(extra=", '--per-day'"), Path(tmp) / "demo-per-day")
            )
        if not only or "--backfill" in only:
            results.extend(backfill_bench(Path(tmp)))
        if not only:
            for scale in (1, 10):
                rows_note = f"sample CSV parse, 52 weeks x{scale} events"
                results.append(
                    measure(rows_note, LOAD.format(scale=scale), Path(tmp) / f"load{scale}")
                )
        if not only or "--web" in only:
            results.extend(web_events_bench(Path(tmp)))
        if not only or "--chatfuel" in only:
            results.extend(chatfuel_bench(Path(tmp)))
        mongo = mongo_bench(Path(tmp), mongo_docs) if not only or "--mongo" in only else []
    return report(results, mongo, full=not only)


def _machine() -> str:
    return f"{dt.date.today()}, {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


MONGO_HEADING = "## Mongo upserts"


def _sections(text: str) -> tuple[list[str], list[str], list[str]]:
    """The lines before the Mongo section, the Mongo section, and any sections after it."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(MONGO_HEADING)), None)
    if start is None:
        return lines, [], []
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[:start], lines[start:end], lines[end:]


def _merge_steps(
    lines: list[str], results: list[tuple[str, float, float, float, float]], full: bool
) -> list[str]:
    """The main table with ``results``' rows replacing those of the same step, new steps last.

    A partial run (``--leads``, ``--mongo``) keeps the other steps' figures, the heading's date
    and any notes under the table.
    """
    header = [
        "| step | wall time (s) | peak RSS, Python process (MiB) | peak RSS, largest subprocess: dbt, JVM (MiB) | peak RSS, process tree (MiB) |",
        "|---|---|---|---|---|",
    ]
    fresh = {
        label: f"| {label} | {wall:.1f} | {me:.0f} | {kids:.0f} | {tree:.0f} |"
        for label, wall, me, kids, tree in results
    }
    title = next((line for line in lines if line.startswith("# ")), None)
    if full or title is None:
        title = f"# Benchmarks ({_machine()})"
    table = [line for line in lines if line.startswith("| ") and line not in header]
    rows = [fresh.pop(line.split(" | ")[0][2:], line) for line in table]
    rows.extend(fresh.values())
    notes = [line for line in lines if line != title and not line.startswith(("| ", "|---"))]
    while notes and not notes[0].strip():
        notes.pop(0)
    return [title, "", *header, *rows, *(["", *notes] if notes else [])]


def _mongo_section(rows: list[dict[str, Any]]) -> list[str]:
    trips = {r["label"]: r["write_round_trips"] + r["read_round_trips"] for r in rows}
    latency = "; ".join(f"{label}: +{n / 1000:,.1f} s" for label, n in trips.items())
    return [
        f"{MONGO_HEADING} ({_machine()})",
        "",
        f"`upsert_documents` of {rows[0]['n']:,} expenditure-shaped documents into the embedded "
        "store (mongomock-ng with the `_id` fast path, snapshot on disk), inside one session. "
        "Session time = load snapshot + upsert + save snapshot; process time adds imports and "
        "building the documents. Round trips are calls a real server would answer (`find`, "
        "`bulk_write`, `replace_one`); the embedded store has no network, so here they cost only "
        "Python work.",
        "",
        "| path | session time (s) | load / upsert / save (s) | write round trips | read round trips | inserted / updated / unchanged | snapshot written (MiB) | process time (s) | peak RSS, Python process (MiB) |",
        "|---|---|---|---|---|---|---|---|---|",
        *[
            f"| {r['label']} | {r['session_s']:.1f} | {r['load_s']:.1f} / {r['upsert_s']:.1f} / "
            f"{r['save_s']:.1f} | {r['write_round_trips']:,} | {r['read_round_trips']:,} | "
            f"{r['inserted']:,} / {r['updated']:,} / {r['unchanged']:,} | "
            f"{'yes' if r['snapshot_written'] else 'no'} ({r['snapshot_mib']:.1f}) | {r['wall']:.1f} | "
            f"{r['rss']:.0f} |"
            for r in rows
        ],
        "",
        f"Estimate, not measured: at 1 ms per round trip to a real server the round trips alone add "
        f"{latency}.",
    ]


COMPARISON_END = "## Every step"


def _without_comparison(lines: list[str]) -> list[str]:
    """The main part as ``_merge_steps`` reads it: the title, then the detailed table."""
    if COMPARISON_END not in lines:
        return lines
    end = lines.index(COMPARISON_END)
    return [line for line in lines[:end] if line.startswith("# ")] + lines[end + 1 :]


def report(
    results: list[tuple[str, float, float, float, float]],
    mongo: list[dict[str, Any]],
    full: bool = True,
) -> int:
    """Merge the new figures into results.md; sections and rows not measured now are kept."""
    main_part, mongo_part, rest = _sections(OUT.read_text() if OUT.exists() else "")
    main_part = _without_comparison(main_part)
    if results or not main_part:
        main_part = _merge_steps(main_part, results, full)
    if mongo:
        mongo_part = _mongo_section(mongo)
    while main_part and not main_part[-1].strip():
        main_part.pop()
    title = [line for line in main_part if line.startswith("# ")]
    detail = [line for line in main_part if not line.startswith("# ")]
    compared = [
        *title,
        "",
        "Each heavy step beside its anchor (ratio = step / anchor; peak = RSS of the process tree).",
        "",
        *comparison_table(detail),
        "",
        COMPARISON_END,
    ]
    parts = [compared + detail, mongo_part, rest]
    text = "\n\n".join("\n".join(part).strip("\n") for part in parts if part) + "\n"
    OUT.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
