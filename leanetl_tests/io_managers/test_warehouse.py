import datetime as dt

import dagster as dg
import pandas as pd
import pytest

from leanetl.io_managers.warehouse import Warehouse
from leanetl.io_managers.warehouse_io_manager import WarehouseIOManager

DAYS = dg.DailyPartitionsDefinition(start_date="2025-01-01")


def _run(
    warehouse: Warehouse, frames: dict[str, pd.DataFrame], day: str
) -> dg.ExecuteInProcessResult:
    @dg.asset(key=["demo", "signups"], partitions_def=DAYS, io_manager_key="warehouse_io")
    def signups(context: dg.AssetExecutionContext) -> pd.DataFrame:
        return frames[context.partition_key]

    return dg.materialize(
        [signups],
        partition_key=day,
        resources={"warehouse_io": WarehouseIOManager(warehouse=warehouse)},
        raise_on_error=False,
    )


@pytest.fixture
def warehouse(tmp_path) -> Warehouse:
    return Warehouse(backend="duckdb", duckdb_path=str(tmp_path / "w.duckdb"))


def _table(warehouse: Warehouse) -> pd.DataFrame:
    return warehouse.query('select * from "demo"."signups" order by dt, id')


def test_round_trip_schema_is_domain_and_dt_column_is_partition(warehouse: Warehouse) -> None:
    frames = {"2025-01-01": pd.DataFrame({"id": [1, 2]}), "2025-01-02": pd.DataFrame({"id": [3]})}
    for day in frames:
        assert _run(warehouse, frames, day).success
    table = _table(warehouse)
    assert table["id"].tolist() == [1, 2, 3]
    assert table["dt"].dt.date.tolist() == [dt.date(2025, 1, 1)] * 2 + [dt.date(2025, 1, 2)]
    only_second = warehouse.read("demo", "signups", "dt", [dt.date(2025, 1, 2)])
    assert only_second["id"].tolist() == [3]


def test_rerun_replaces_only_that_partition(warehouse: Warehouse) -> None:
    frames = {"2025-01-01": pd.DataFrame({"id": [1, 2]}), "2025-01-02": pd.DataFrame({"id": [3]})}
    for day in frames:
        _run(warehouse, frames, day)
    frames["2025-01-01"] = pd.DataFrame({"id": [5]})
    assert _run(warehouse, frames, "2025-01-01").success
    assert _run(warehouse, frames, "2025-01-01").success
    assert _table(warehouse)["id"].tolist() == [5, 3]


def test_failed_write_keeps_previous_partition(warehouse: Warehouse) -> None:
    frames = {"2025-01-01": pd.DataFrame({"id": [1, 2]})}
    _run(warehouse, frames, "2025-01-01")
    # The delete runs, then the insert fails on a type mismatch: the transaction rolls back.
    frames["2025-01-01"] = pd.DataFrame({"id": ["not a number"]})
    result = _run(warehouse, frames, "2025-01-01")
    assert not result.success
    assert _table(warehouse)["id"].tolist() == [1, 2]


def test_replace_table_is_atomic(warehouse: Warehouse) -> None:
    warehouse.replace_table("demo", "whole", pd.DataFrame({"a": [1, 2, 3]}))
    warehouse.replace_table("demo", "whole", pd.DataFrame({"a": [4]}))
    assert warehouse.query('select a from "demo"."whole"')["a"].tolist() == [4]


def test_identifiers_are_checked(warehouse: Warehouse) -> None:
    with pytest.raises(ValueError, match="identifier"):
        warehouse.table_ref("demo", 'x"; drop table y; --')


def test_bigquery_refs_use_dataset_suffix() -> None:
    bq = Warehouse(backend="bigquery", bq_project="proj", dataset_suffix="_pr7")
    assert (
        bq.table_ref("volunteers", "flake_rate_weekly") == "`proj.volunteers_pr7.flake_rate_weekly`"
    )


def test_a_new_column_is_added_and_a_missing_one_is_null(warehouse: Warehouse, tmp_path) -> None:
    """The same schema drift rules as on BigQuery (test_warehouse_bigquery)."""
    d1, d2, d3 = dt.date(2025, 1, 1), dt.date(2025, 1, 2), dt.date(2025, 1, 3)
    warehouse.replace_partitions(
        "demo", "signups", pd.DataFrame({"id": [1], "dt": [d1]}), "dt", [d1]
    )
    with_region = pd.DataFrame({"id": [2], "region": ["North"], "dt": [d2]})
    warehouse.replace_partitions("demo", "signups", with_region, "dt", [d2])
    path = tmp_path / "d3.parquet"
    pd.DataFrame({"region": ["South"], "new": [1.5], "dt": [d3]}).to_parquet(path)
    warehouse.replace_partition_from_parquet("demo", "signups", path, "dt", d3)
    rows = _table(warehouse)
    assert rows["region"].tolist()[1:] == ["North", "South"] and pd.isna(rows["region"][0])
    assert rows["id"].tolist()[:2] == [1, 2] and pd.isna(rows["id"][2])
    assert rows["new"].tolist()[2] == 1.5
