import dagster as dg
import pandas as pd
import pytest

from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.parquet import PartitionedParquetIOManager

DAYS = dg.DailyPartitionsDefinition(start_date="2025-01-01", timezone="America/Chicago")


def _assets(frames: dict[str, pd.DataFrame]) -> list[dg.AssetsDefinition]:
    @dg.asset(key=["demo", "events"], partitions_def=DAYS, io_manager_key="parquet")
    def events(context: dg.AssetExecutionContext) -> pd.DataFrame:
        return frames[context.partition_key]

    @dg.asset(
        key=["demo", "all_events"],
        ins={"events": dg.AssetIn(["demo", "events"])},
        io_manager_key="parquet",
    )
    def all_events(events: pd.DataFrame) -> pd.DataFrame:
        return events

    return [events, all_events]


def _run(lake: ObjectStore, frames: dict[str, pd.DataFrame], key: str, select: str = "demo/events"):
    return dg.materialize(
        _assets(frames),
        partition_key=key,
        selection=select,
        resources={"parquet": PartitionedParquetIOManager(store=lake)},
        raise_on_error=False,
    )


def _read(lake: ObjectStore, day: str) -> pd.DataFrame:
    import io

    return pd.read_parquet(io.BytesIO(lake.get_bytes(f"demo/events/dt={day}/data.parquet")))


def test_round_trip_writes_hive_partitions(lake: ObjectStore) -> None:
    frames = {
        "2025-01-01": pd.DataFrame({"id": [1, 2], "name": ["a", "b"]}),
        "2025-01-02": pd.DataFrame({"id": [3], "name": ["c"]}),
    }
    for day in frames:
        assert _run(lake, frames, day).success
    assert sorted(lake.list_keys("demo/events")) == [
        "demo/events/dt=2025-01-01/data.parquet",
        "demo/events/dt=2025-01-02/data.parquet",
    ]
    pd.testing.assert_frame_equal(_read(lake, "2025-01-01"), frames["2025-01-01"])
    # An unpartitioned reader gets every day there is.
    everything = dg.materialize(
        _assets(frames),
        selection="demo/all_events",
        resources={"parquet": PartitionedParquetIOManager(store=lake)},
    )
    assert everything.output_for_node("demo__all_events")["id"].sort_values().tolist() == [1, 2, 3]


def test_rerun_replaces_partition(lake: ObjectStore) -> None:
    frames = {"2025-01-01": pd.DataFrame({"id": [1, 2]})}
    assert _run(lake, frames, "2025-01-01").success
    frames["2025-01-01"] = pd.DataFrame({"id": [7]})
    result = _run(lake, frames, "2025-01-01")
    assert result.success
    assert _read(lake, "2025-01-01")["id"].tolist() == [7]
    assert len(list(lake.list_keys("demo/events/dt=2025-01-01"))) == 1
    meta = result.asset_materializations_for_node("demo__events")[0].metadata
    assert meta["dagster/row_count"].value == 1
    assert meta["path"].value.endswith("demo/events/dt=2025-01-01/data.parquet")


def test_failed_write_keeps_previous_partition(lake: ObjectStore) -> None:
    frames = {"2025-01-01": pd.DataFrame({"id": [1, 2]})}
    assert _run(lake, frames, "2025-01-01").success
    # A column pyarrow cannot serialise: the write fails before anything reaches the store.
    frames["2025-01-01"] = pd.DataFrame({"id": [3], "bad": [object()]})
    assert not _run(lake, frames, "2025-01-01").success
    assert _read(lake, "2025-01-01")["id"].tolist() == [1, 2]
    assert list(lake.list_keys("demo/events")) == ["demo/events/dt=2025-01-01/data.parquet"]


def test_interrupted_local_write_leaves_no_partial_file(tmp_path, monkeypatch) -> None:
    lake = ObjectStore(url=str(tmp_path / "lake"))
    frames = {"2025-01-01": pd.DataFrame({"id": [1]})}
    assert _run(lake, frames, "2025-01-01").success

    def crash(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("leanetl.io_managers.local_files.os.replace", crash)
    frames["2025-01-01"] = pd.DataFrame({"id": [9, 9, 9]})
    assert not _run(lake, frames, "2025-01-01").success
    monkeypatch.undo()
    assert _read(lake, "2025-01-01")["id"].tolist() == [1]
    leftovers = [p.name for p in (tmp_path / "lake").rglob("*") if p.is_file()]
    assert leftovers == ["data.parquet"]


def test_missing_partition_names_the_path(tmp_path) -> None:
    lake = ObjectStore(url=str(tmp_path / "lake"))

    @dg.asset(
        key=["demo", "reader"],
        partitions_def=DAYS,
        ins={"events": dg.AssetIn(["demo", "events"])},
        io_manager_key="parquet",
    )
    def reader(events: pd.DataFrame) -> None:
        return None

    with pytest.raises(FileNotFoundError, match=r"demo/events/dt=2025-01-05/data.parquet"):
        dg.materialize(
            [*_assets({}), reader],
            partition_key="2025-01-05",
            selection="demo/reader",
            resources={"parquet": PartitionedParquetIOManager(store=lake)},
        )


def test_an_arrow_input_gets_a_table_with_repeated_text_dictionary_encoded(
    lake: ObjectStore,
) -> None:
    """``arrow_input``: one day as it was written, a range of days with each row's day (cut back
    to one day without it by ``day_slice``)."""
    import pyarrow as pa

    from leanetl.io_managers.parquet import arrow_input
    from leanetl.lib.ranges import day_slice

    frames = {
        "2025-01-01": pd.DataFrame({"id": [1, 2], "name": ["a", "b"]}),
        "2025-01-02": pd.DataFrame({"id": [3], "name": ["c"]}),
    }
    seen: dict[str, pa.Table] = {}

    @dg.asset(
        key=["demo", "reader"],
        partitions_def=DAYS,
        ins={"events": dg.AssetIn(["demo", "events"], metadata=arrow_input(["name"]))},
    )
    def reader(context: dg.AssetExecutionContext, events: pa.Table) -> None:
        seen[context.partition_key_range.start] = events

    for day in frames:
        assert _run(lake, frames, day).success
    assets = [*_assets(frames), reader]
    resources = {"parquet": PartitionedParquetIOManager(store=lake)}
    one = dg.materialize(
        assets, partition_key="2025-01-02", selection="demo/reader", resources=resources
    )
    assert one.success
    assert pa.types.is_dictionary(seen["2025-01-02"].schema.field("name").type)
    assert seen["2025-01-02"].to_pydict() == {"id": [3], "name": ["c"]}
    both = dg.materialize(
        assets,
        selection="demo/reader",
        resources=resources,
        tags={
            "dagster/asset_partition_range_start": "2025-01-01",
            "dagster/asset_partition_range_end": "2025-01-02",
        },
    )
    assert both.success
    table = seen["2025-01-01"]
    assert table.column("dt").to_pylist() == ["2025-01-01", "2025-01-01", "2025-01-02"]
    assert day_slice(table, "2025-01-01").to_pydict() == {"id": [1, 2], "name": ["a", "b"]}
