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
from leanetl.io_managers.mongo import MongoStore
from leanetl.lib.parquet import read_parquet_bytes
from leanetl.sample.prepare import prepare
from leanetl.sample.volunteers import write_sample_file
from leanetl.settings import Settings, load_settings

pytestmark = pytest.mark.slow

TODAY = dt.date(2025, 3, 17)
DAYS = ["2025-03-12", "2025-03-13", "2025-03-14"]
# Columns that say when or by which batch a row was written, not what it holds.
WRITTEN_AT = {
    "loaded_at",
    "pulled_at",
    "written_at",
    "quarantined_at",
    "updated_at",
    "unchanged_since",
    "_id",
}
MONGO_BATCH = {"_id", "_leanetl_batch", "_leanetl_partition_batch"}


def range_tags(days: list[str]) -> dict[str, str]:
    """The tags of a run over ``days`` (as a single-run backfill launches it)."""
    return {
        "dagster/asset_partition_range_start": days[0],
        "dagster/asset_partition_range_end": days[-1],
    }


def _settings(home: Path, mp: pytest.MonkeyPatch) -> Settings:
    mp.setenv("LEANETL_HOME", str(home))
    mp.delenv("LEANETL_ENV", raising=False)
    mp.delenv("LEANETL_LAKE_URL", raising=False)
    mp.setenv("LEANETL_TIMEZONE", "America/Chicago")
    return load_settings()


def _sorted(frame: pd.DataFrame, home: Path | None = None) -> pd.DataFrame:
    """The frame without write times, its home folder as ``<home>``, columns and rows sorted."""
    frame = frame.drop(columns=[c for c in frame.columns if c in WRITTEN_AT])
    if home is not None:
        for column in frame.select_dtypes(include=["object", "string"]).columns:
            frame[column] = frame[column].map(
                lambda v: v.replace(str(home), "<home>") if isinstance(v, str) else v
            )
    frame = frame[sorted(frame.columns)]
    keys = frame.astype(str)
    return frame.loc[keys.sort_values(list(keys.columns)).index].reset_index(drop=True)


def warehouse_tables(settings: Settings) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as conn:
        names = conn.sql(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()
        return {
            f"{s}.{t}": _sorted(conn.sql(f'select * from "{s}"."{t}"').df(), settings.home)
            for s, t in names
        }


def lake_files(settings: Settings) -> dict[str, pd.DataFrame]:
    root = Path(settings.lake_url)
    return {
        p.relative_to(root).as_posix(): _sorted(read_parquet_bytes(p.read_bytes()), settings.home)
        for p in sorted(root.rglob("*.parquet"))
    }


def other_objects(settings: Settings) -> dict[str, pd.DataFrame]:
    """Every other object of the lake (pages, maps, message templates) by name: the same set."""
    root = Path(settings.lake_url)
    names = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.suffix != ".parquet" and "manifests" not in p.parts
    )
    return {"objects": pd.DataFrame({"name": names})}


def mongo_documents(settings: Settings, domain: str) -> dict[str, pd.DataFrame]:
    store = MongoStore(embedded_dir=str(settings.mongo_dir))
    with store.session(domain) as database:
        return {
            name: _sorted(
                pd.DataFrame(
                    [
                        {k: str(v) for k, v in doc.items() if k not in MONGO_BATCH}
                        for doc in database[name].find({})
                    ]
                ),
                settings.home,
            )
            for name in sorted(database.list_collection_names())
            if not name.startswith("_leanetl")
        }


def _run(settings: Settings, job: str, **kwargs) -> dg.ExecuteInProcessResult:
    result = (
        build_defs(settings)
        .resolve_job_def(job)
        .execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, **kwargs)
    )
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    return result


def assert_same(per_day: dict[str, pd.DataFrame], ranged: dict[str, pd.DataFrame]) -> None:
    assert sorted(per_day) == sorted(ranged)
    for name, frame in per_day.items():
        pd.testing.assert_frame_equal(ranged[name], frame, obj=name)


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
            result = _run(settings, "volunteers_daily", tags=range_tags(DAYS))
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


# The other domains on their samples, for the three days before today (as `make demo` runs them).
JOBS = {
    "leads": "leads_daily",
    "campaigns": "campaigns_refresh",
    "web_events": "web_events_transform",
    "chatfuel": "chatfuel_daily",
}


@pytest.mark.parametrize("domain", sorted(JOBS))
def test_every_domain_writes_the_same_in_one_run_as_in_one_run_a_day(
    domain: str, tmp_path: Path
) -> None:
    mp = pytest.MonkeyPatch()
    outputs = {}
    try:
        for name in ("per_day", "range"):
            settings = _settings(tmp_path / name, mp)
            yesterday = settings.today() - dt.timedelta(days=1)
            days = [(yesterday - dt.timedelta(days=n)).isoformat() for n in (2, 1, 0)]
            # The sample, asked for as `make sample` does; the home then asks for its APIs.
            prepare(settings, [dt.date.fromisoformat(d) for d in days])
            settings = _settings(tmp_path / name, mp)
            if name == "per_day":
                for day in days:
                    _run(settings, JOBS[domain], partition_key=day)
            else:
                _run(settings, JOBS[domain], tags=range_tags(days))
            outputs[name] = (
                warehouse_tables(settings) if settings.duckdb_path.exists() else {},
                lake_files(settings),
                mongo_documents(settings, domain) if settings.mongo_dir.exists() else {},
                other_objects(settings),
            )
    finally:
        mp.undo()
    for per_day, ranged in zip(outputs["per_day"], outputs["range"], strict=True):
        assert_same(per_day, ranged)
    assert any(outputs["per_day"])
