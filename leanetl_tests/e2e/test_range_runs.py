"""A backfill as one run over a range of days writes what one run per day writes, table by table.

Two homes get the same sample; in one, each day is its own run; in the other, the three days are
one run (the way the backfill policy ``single_run`` launches them). Every warehouse table and
every Parquet file of the lake must then be equal, row for row.
"""

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from leanetl.definitions import build_defs
from leanetl.lib.parquet import read_parquet_bytes
from leanetl.sample.volunteers import write_sample_file
from leanetl.settings import Settings, load_settings

TODAY = dt.date(2025, 3, 17)
DAYS = ["2025-03-12", "2025-03-13", "2025-03-14"]
RANGE_TAGS = {
    "dagster/asset_partition_range_start": DAYS[0],
    "dagster/asset_partition_range_end": DAYS[-1],
}
# Columns that say when a row was written, not what it holds.
WRITTEN_AT = {"loaded_at", "pulled_at", "written_at", "quarantined_at"}


def _settings(home: Path, mp: pytest.MonkeyPatch) -> Settings:
    mp.setenv("LEANETL_HOME", str(home))
    mp.delenv("LEANETL_ENV", raising=False)
    mp.delenv("LEANETL_LAKE_URL", raising=False)
    mp.setenv("LEANETL_TIMEZONE", "America/Chicago")
    return load_settings()


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.drop(columns=[c for c in frame.columns if c in WRITTEN_AT])
    frame = frame[sorted(frame.columns)]
    keys = frame.astype(str)
    return frame.loc[keys.sort_values(list(keys.columns)).index].reset_index(drop=True)


def warehouse_tables(settings: Settings) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as conn:
        names = conn.sql(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()
        return {f"{s}.{t}": _sorted(conn.sql(f'select * from "{s}"."{t}"').df()) for s, t in names}


def lake_files(settings: Settings) -> dict[str, pd.DataFrame]:
    root = Path(settings.lake_url)
    return {
        p.relative_to(root).as_posix(): _sorted(read_parquet_bytes(p.read_bytes()))
        for p in sorted(root.rglob("*.parquet"))
    }


def _run(settings: Settings, job: str, **kwargs) -> dg.ExecuteInProcessResult:
    result = (
        build_defs(settings)
        .resolve_job_def(job)
        .execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, **kwargs)
    )
    assert result.success
    return result


@pytest.fixture(scope="module")
def volunteers_homes(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    homes = {}
    for name in ("per_day", "range"):
        settings = _settings(tmp_path_factory.mktemp(name), mp)
        write_sample_file(settings.sources_dir / "volunteers", TODAY, settings.timezone)
        if name == "per_day":
            for day in DAYS:
                _run(settings, "volunteers_daily", partition_key=day)
        else:
            result = _run(settings, "volunteers_daily", tags=RANGE_TAGS)
        homes[name] = settings
    yield homes, result
    mp.undo()


def test_one_run_over_three_days_writes_what_three_runs_write(volunteers_homes) -> None:
    homes, _ = volunteers_homes
    per_day, ranged = warehouse_tables(homes["per_day"]), warehouse_tables(homes["range"])
    assert sorted(per_day) == sorted(ranged)
    assert {"volunteers.event_signups", "volunteers.flake_rate_outlook"} <= set(per_day)
    for table, frame in per_day.items():
        assert len(frame) > 0, table
        pd.testing.assert_frame_equal(ranged[table], frame, obj=table)
    days_seen = per_day["volunteers.flake_rate_weekly"]["as_of_date"].astype(str).str[:10]
    assert sorted(days_seen.unique()) == DAYS

    per_day_files, ranged_files = lake_files(homes["per_day"]), lake_files(homes["range"])
    assert sorted(per_day_files) == sorted(ranged_files)
    for key, frame in per_day_files.items():
        pd.testing.assert_frame_equal(ranged_files[key], frame, obj=key)
    pages = sorted(Path(homes["range"].lake_url).rglob("index.html"))
    assert [p.parent.name for p in pages] == [f"dt={d}" for d in DAYS]


def test_the_range_run_records_every_day_and_its_checks(volunteers_homes) -> None:
    _, result = volunteers_homes
    materialized = {
        (e.asset_key.to_user_string(), e.partition)
        for e in result.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION"
    }
    assert ("volunteers/event_signups", None) in materialized  # the whole history, unpartitioned
    for day in DAYS:
        assert ("volunteers/flake_rate_weekly", day) in materialized
        assert ("volunteers/flake_rate_dashboard", day) in materialized
    checks = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    assert len(checks) >= 10 and all(c.passed for c in checks)
