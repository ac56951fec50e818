"""The warehouse's BigQuery half through the real google-cloud-bigquery client, against the
BigQuery emulator (bqemulator over HTTP): day partitions, re-runs, failures, schema drift, datasets."""

import datetime as dt
import uuid
from collections.abc import Iterator

import dagster as dg
import pandas as pd
import pytest

from leanetl.clients import bigquery as bq
from leanetl.io_managers.warehouse import Warehouse
from leanetl.io_managers.warehouse_io_manager import WarehouseIOManager

DAYS = dg.DailyPartitionsDefinition(start_date="2025-01-01")
D1, D2, D3 = dt.date(2025, 1, 1), dt.date(2025, 1, 2), dt.date(2025, 1, 3)
# DATE read back as DuckDB's frames hold it (datetime64), whichever warehouse: one shape for the
# code after a read.
T1, T2, T3 = (pd.Timestamp(d) for d in (D1, D2, D3))


@pytest.fixture
def warehouse(bigquery_emulator: str) -> Iterator[Warehouse]:
    yield Warehouse(
        bq_emulator_host=bigquery_emulator,
        backend="bigquery",
        bq_project="test",
        dataset_suffix=f"_t{uuid.uuid4().hex[:8]}",
    )


def _rows(warehouse: Warehouse, table: str = "signups") -> pd.DataFrame:
    frame = warehouse.query(f"select * from {warehouse.table_ref('vol', table)}")
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def _materialise(warehouse: Warehouse, frames: dict[str, pd.DataFrame], day: str) -> None:
    @dg.asset(key=["vol", "signups"], partitions_def=DAYS, io_manager_key="warehouse_io")
    def signups(context: dg.AssetExecutionContext) -> pd.DataFrame:
        return frames[context.partition_key]

    @dg.asset(
        key=["vol", "copy"], partitions_def=DAYS, ins={"signups": dg.AssetIn(["vol", "signups"])}
    )
    def copy(signups: pd.DataFrame) -> None:
        frames["read back"] = signups

    result = dg.materialize(
        [signups, copy],
        partition_key=day,
        resources={"warehouse_io": WarehouseIOManager(warehouse=warehouse)},
    )
    assert result.success


def test_a_day_round_trips_into_a_day_partitioned_table(warehouse: Warehouse) -> None:
    frames = {"2025-01-01": pd.DataFrame({"id": [1, 2], "status": ["ok", "flake"]})}
    _materialise(warehouse, frames, "2025-01-01")
    table = warehouse._bq_client().get_table(f"test.vol{warehouse.dataset_suffix}.signups")
    assert (table.time_partitioning.type_, table.time_partitioning.field) == ("DAY", "dt")
    assert [(f.name, f.field_type) for f in table.schema] == [
        ("id", "INTEGER"),
        ("status", "STRING"),
        ("dt", "DATE"),
    ] or [(f.name, f.field_type) for f in table.schema] == [
        ("id", "INT64"),
        ("status", "STRING"),
        ("dt", "DATE"),
    ]
    back = frames["read back"].sort_values("id").reset_index(drop=True)
    assert back.to_dict("list") == {"id": [1, 2], "status": ["ok", "flake"], "dt": [T1, T1]}


def test_re_running_a_day_replaces_exactly_that_day(warehouse: Warehouse) -> None:
    first = pd.DataFrame({"id": [1, 2], "dt": [D1, D1]})
    warehouse.replace_partitions("vol", "signups", first, "dt", [D1])
    warehouse.replace_partitions(
        "vol", "signups", pd.DataFrame({"id": [3], "dt": [D2]}), "dt", [D2]
    )
    again = pd.DataFrame({"id": [7], "dt": [D1]})
    warehouse.replace_partitions("vol", "signups", again, "dt", [D1])
    warehouse.replace_partitions("vol", "signups", again, "dt", [D1])
    assert _rows(warehouse).to_dict("list") == {"id": [3, 7], "dt": [T2, T1]}
    # A range of days in one write replaces each of them.
    both = pd.DataFrame({"id": [8, 9], "dt": [D1, D2]})
    warehouse.replace_partitions("vol", "signups", both, "dt", [D1, D2])
    assert _rows(warehouse).to_dict("list") == {"id": [8, 9], "dt": [T1, T2]}
    datasets = {d.dataset_id for d in warehouse._bq_client().list_datasets()}
    assert f"vol{warehouse.dataset_suffix}" in datasets
    assert not [
        t
        for t in warehouse._bq_client().list_tables(f"test.vol{warehouse.dataset_suffix}")
        if t.table_id.startswith(bq.STAGING_PREFIX)
    ]


def test_a_failed_write_leaves_the_previous_day_intact(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse.replace_partitions(
        "vol", "signups", pd.DataFrame({"id": [1], "dt": [D1]}), "dt", [D1]
    )
    # A type change is refused before anything is sent, and not retried.
    with pytest.raises(dg.Failure, match="column 'id' is INT") as refused:
        bad = pd.DataFrame({"id": ["one"], "dt": [D1]})
        warehouse.replace_partitions("vol", "signups", bad, "dt", [D1])
    assert refused.value.allow_retries is False
    # The statement that swaps the day in fails after the rows were staged.
    with monkeypatch.context() as patched:
        patched.setattr(bq.bigquery.Client, "query", _failing_query(bq.bigquery.Client.query))
        with pytest.raises(RuntimeError, match="MERGE failed"):
            again = pd.DataFrame({"id": [2], "dt": [D1]})
            warehouse.replace_partitions("vol", "signups", again, "dt", [D1])
    assert _rows(warehouse).to_dict("list") == {"id": [1], "dt": [T1]}
    tables = warehouse._bq_client().list_tables(f"test.vol{warehouse.dataset_suffix}")
    assert [t.table_id for t in tables] == ["signups"]  # the staging table is gone too


def _failing_query(real):
    def query(self, sql, *args, **kwargs):
        if sql.lstrip().lower().startswith("merge"):
            raise RuntimeError("MERGE failed (injected)")
        return real(self, sql, *args, **kwargs)

    return query


def test_a_new_column_is_added_and_a_missing_one_is_null(warehouse: Warehouse) -> None:
    warehouse.replace_partitions(
        "vol", "signups", pd.DataFrame({"id": [1], "dt": [D1]}), "dt", [D1]
    )
    with_region = pd.DataFrame({"id": [2], "region": ["North"], "dt": [D2]})
    warehouse.replace_partitions("vol", "signups", with_region, "dt", [D2])
    without_id = pd.DataFrame({"region": ["South"], "dt": [D3]})
    warehouse.replace_partitions("vol", "signups", without_id, "dt", [D3])
    rows = _rows(warehouse).sort_values("dt").reset_index(drop=True)
    assert rows["dt"].tolist() == [T1, T2, T3]
    assert rows["region"].tolist()[1:] == ["North", "South"] and pd.isna(rows["region"][0])
    assert rows["id"].tolist()[:2] == [1, 2] and pd.isna(rows["id"][2])
    # A day where an optional column has no value at all keeps the column's type.
    empty_region = pd.DataFrame({"id": [4], "region": [None], "dt": [D3]})
    warehouse.replace_partitions("vol", "signups", empty_region, "dt", [D3])
    assert _rows(warehouse)["id"].dropna().tolist() == [1, 2, 4]


def test_a_whole_table_and_a_parquet_day_are_replaced(warehouse: Warehouse, tmp_path) -> None:
    warehouse.replace_table("vol", "weeks", pd.DataFrame({"week": [1, 2]}))
    warehouse.replace_table("vol", "weeks", pd.DataFrame({"week": [3], "rate": [0.5]}))
    assert _rows(warehouse, "weeks").to_dict("list") == {"week": [3], "rate": [0.5]}
    path = tmp_path / "day.parquet"
    pd.DataFrame({"id": [5, 6], "dt": [D2, D2]}).to_parquet(path)
    warehouse.replace_partition_from_parquet("vol", "signups", path, "dt", D2)
    warehouse.replace_partition_from_parquet("vol", "signups", path, "dt", D2)
    assert _rows(warehouse).to_dict("list") == {"id": [5, 6], "dt": [T2, T2]}
    assert warehouse.table_exists("vol", "signups") and not warehouse.table_exists("vol", "nope")
    assert warehouse.read("vol", "signups", "dt", [D2])["id"].sort_values().tolist() == [5, 6]


def test_a_branch_deployment_writes_to_its_own_datasets(bigquery_emulator) -> None:
    suffix = f"_pr{uuid.uuid4().int % 10_000}"
    branch = Warehouse(
        backend="bigquery",
        bq_project="test",
        dataset_suffix=suffix,
        bq_emulator_host=bigquery_emulator,
    )
    branch.replace_partitions(
        "volunteers", "signups", pd.DataFrame({"id": [1], "dt": [D1]}), "dt", [D1]
    )
    branch.replace_table("leads", "answers", pd.DataFrame({"n": [1]}))
    datasets = {d.dataset_id for d in branch._bq_client().list_datasets()}
    assert {f"volunteers{suffix}", f"leads{suffix}"} <= datasets
    assert branch.table_ref("volunteers", "signups") == f"`test.volunteers{suffix}.signups`"


def test_a_steps_slices_are_all_merged_or_none(warehouse: Warehouse) -> None:
    from leanetl.io_managers.warehouse import Slice

    warehouse.replace_slices(
        [
            Slice("vol", "signups", pd.DataFrame({"id": [1], "dt": [D1]}), (D1,)),
            Slice("vol", "quarantine", pd.DataFrame({"n": [1], "dt": [D1]}), (D1,)),
        ]
    )
    # The last slice is refused (a type change): the first is not merged either.
    with pytest.raises(dg.Failure, match="column 'n' is INT"):
        warehouse.replace_slices(
            [
                Slice("vol", "signups", pd.DataFrame({"id": [2], "dt": [D1]}), (D1,)),
                Slice("vol", "quarantine", pd.DataFrame({"n": ["x"], "dt": [D1]}), (D1,)),
            ]
        )
    assert _rows(warehouse).to_dict("list") == {"id": [1], "dt": [T1]}
    # An empty slice is typed: its dt is a DATE, the table day-partitioned.
    empty = pd.DataFrame({"reason": pd.Series(dtype="string")}).assign(dt=D2)
    warehouse.replace_slices([Slice("vol", "empty", empty, (D2,))])
    table = warehouse._bq_client().get_table(f"test.vol{warehouse.dataset_suffix}.empty")
    assert [(f.name, f.field_type) for f in table.schema] == [("reason", "STRING"), ("dt", "DATE")]
