"""What each domain's demo runs did, counted from their events, the demo's summary table, and
the commands it prints to query the results."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dagster import ExecuteInProcessResult


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


def rows_written(result: "ExecuteInProcessResult") -> int:
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


def record_run(record: DomainRun, result: "ExecuteInProcessResult", seconds: float) -> None:
    checks = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    record.runs += 1
    record.seconds += seconds
    record.rows += rows_written(result)
    record.checks += len(checks)
    record.failed_checks += [c.check_name for c in checks if not c.passed]
    record.ok = record.ok and result.success


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


def query_hint(sql: str, database: Path | None = None) -> str:
    """A command that runs ``sql`` with the venv's duckdb (the package ships no CLI)."""
    connect = f"duckdb.connect('{database}', read_only=True)" if database else "duckdb"
    return f'.venv/bin/python -c "import duckdb; {connect}.sql(\\"{sql}\\").show()"'
