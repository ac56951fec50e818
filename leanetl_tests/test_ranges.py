"""A step written for one day, run over a range of days: what it yields per day becomes one
result per output, asset and check for the range."""

import dagster as dg
import pandas as pd
import pytest

from leanetl.defs.ranges import RANGE_PER_RUN, RangeResults, carried, per_day
from leanetl.lib.ranges import ADDED_DAY_COLUMN, concat_days, day_slice

DAYS = ["2025-03-12", "2025-03-13", "2025-03-14"]
PARTITIONS = dg.DailyPartitionsDefinition(start_date="2025-03-01")
TAGS = {
    "dagster/asset_partition_range_start": DAYS[0],
    "dagster/asset_partition_range_end": DAYS[-1],
}


def _check(day: str, passed: bool, severity=dg.AssetCheckSeverity.ERROR) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key="a", check_name="c", passed=passed, severity=severity, metadata={"day": day}
    )


def test_a_check_passes_for_the_range_only_when_every_day_passed() -> None:
    results = RangeResults()
    for day, passed in zip(DAYS, [True, False, True], strict=True):
        results.add(day, _check(day, passed))
    (merged,) = results.merged(DAYS)
    assert not merged.passed
    assert merged.metadata["failed_days"].value == ["2025-03-13"]
    assert merged.metadata["day"].value == "2025-03-13"  # the first failing day's figures

    results = RangeResults()
    for day in DAYS:
        results.add(day, _check(day, day != DAYS[0], dg.AssetCheckSeverity.WARN))
    (merged,) = results.merged(DAYS)
    assert not merged.passed and merged.severity == dg.AssetCheckSeverity.WARN


def test_a_day_without_its_output_fails_the_range_before_anything_is_written() -> None:
    results = RangeResults()
    results.add(DAYS[0], dg.Output(pd.DataFrame({"x": [1]}), output_name="rows"))
    results.add(DAYS[2], dg.Output(pd.DataFrame({"x": [3]}), output_name="rows"))
    with pytest.raises(dg.Failure, match="nothing for 2025-03-13"):
        list(results.merged(DAYS))


def test_outputs_of_the_days_become_one_frame_with_each_row_s_day() -> None:
    results = RangeResults()
    for n, day in enumerate(DAYS):
        frame = pd.DataFrame({"x": range(n + 1)})
        results.add(
            day, dg.Output(frame, output_name="rows", metadata={"dagster/row_count": n + 1})
        )
    (merged,) = results.merged(DAYS)
    assert len(merged.value) == 6 and merged.value.attrs[ADDED_DAY_COLUMN]
    # The range's total under its own name: each day's materialisation keeps its own count.
    assert merged.metadata["range_row_count"].value == 6
    assert merged.metadata["rows_per_day"].value == dict(zip(DAYS, [1, 2, 3], strict=True))
    assert list(day_slice(merged.value, DAYS[1])["x"]) == [0, 1]
    assert "dt" not in day_slice(merged.value, DAYS[1]).columns


def test_concat_days_keeps_types_when_a_day_has_no_value() -> None:
    with_values = pd.DataFrame({"when": pd.to_datetime(["2025-03-12"]), "dt": [DAYS[0]]})
    without = pd.DataFrame({"when": [None], "dt": [DAYS[1]]})
    empty = with_values.iloc[0:0]
    frame = concat_days([with_values, without, empty])
    assert str(frame["when"].dtype).startswith("datetime64") and len(frame) == 2


seen: list[tuple[str, list[str], int]] = []


def test_per_day_runs_the_body_once_a_day_oldest_first_and_one_day_runs_unchanged() -> None:
    seen.clear()

    @dg.multi_asset(
        specs=[dg.AssetSpec("days")],
        partitions_def=PARTITIONS,
        backfill_policy=RANGE_PER_RUN,
        check_specs=[dg.AssetCheckSpec("has_day", asset="days")],
    )
    @per_day
    def days(context: dg.AssetExecutionContext):
        memory = carried(context)
        memory["n"] = memory.get("n", 0) + 1
        seen.append((context.partition_key, list(context.partition_keys), memory["n"]))
        yield dg.MaterializeResult(
            metadata={"day": context.partition_key, "dagster/row_count": len(seen)}
        )
        yield dg.AssetCheckResult(check_name="has_day", passed=context.partition_key != DAYS[1])

    result = dg.materialize([days], tags=TAGS, raise_on_error=False)
    assert [s[0] for s in seen] == DAYS
    assert all(keys == [day] for day, keys, _ in seen) and [s[2] for s in seen] == [1, 2, 3]
    (check,) = result.get_asset_check_evaluations()
    assert not check.passed
    materialized = [e.partition for e in result.get_asset_materialization_events()]
    assert sorted(materialized) == DAYS
    # Each day's materialisation records that day's own metadata, the range's under other names.
    own = {
        e.partition: e.materialization.metadata for e in result.get_asset_materialization_events()
    }
    assert {d: own[d]["day"].value for d in DAYS} == dict(zip(DAYS, DAYS, strict=True))
    assert [own[d]["dagster/row_count"].value for d in DAYS] == [1, 2, 3]
    assert all(own[d]["range_row_count"].value == 6 for d in DAYS)

    seen.clear()
    one = dg.materialize([days], partition_key=DAYS[1], raise_on_error=False)
    assert seen == [(DAYS[1], [DAYS[1]], 1)]
    assert not one.get_asset_check_evaluations()[0].passed
