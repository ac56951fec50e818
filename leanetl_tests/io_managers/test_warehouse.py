import datetime as dt

import dagster as dg
import pandas as pd
import pytest

from leanetl.io_managers.warehouse import Warehouse, WarehouseIOManager

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
