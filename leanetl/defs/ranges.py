"""Runs over a range of partition days: a backfill of N days is one run, not N.

A step whose body works on one day (``partition_day(context)``) is wrapped with ``per_day``: in a
run over one day it is the body itself; in a run over several days the body runs once per day
(oldest first) with a view of the context whose partition is that day, and what it yields for the
days becomes what the step yields for the range:

- an ``Output`` of frames: one frame with a ``dt`` column (the IO managers split it by day and
  replace each day's partition);
- a ``MaterializeResult``: one for the range, ``days_skipped`` listing the days a report had
  nothing to show;
- either way **each day's materialisation carries that day's own metadata** (``source_rows``,
  ``dagster/row_count``, quarantine counts, …: what a one-day run would record), and the range's
  figures are added under other names: ``days``, ``range_row_count``, ``rows_per_day``;
- an ``AssetCheckResult``: passed when every day passed, severity the worst failing one's, and
  the failing days with their metadata.

A day that yields no output where other days of the range do (a blocking check refused it)
fails the step before anything is written: run that day on its own.

Frames a step reads for the range (``ins``) are split by their ``dt`` column, so every day's body
sees what a one-day run would load.
"""

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import dagster as dg
import pandas as pd

from leanetl.lib.ranges import ADDED_DAY_COLUMN, PARTITION_COLUMN, concat_days, day_slice

# Assets whose steps take a whole range in one run.
RANGE_PER_RUN = dg.BackfillPolicy.single_run()


def partition_days(context: dg.AssetExecutionContext) -> list[dt.date]:
    """The run's partition days, oldest first."""
    return [dt.date.fromisoformat(key) for key in context.partition_keys]


class DayContext:
    """The step's context seen from one day of its range: partition key, keys, range and time
    window are that day's; everything else is the step's."""

    def __init__(
        self,
        context: dg.AssetExecutionContext,
        day: str,
        carried: dict[str, Any],
        range_inputs: dict[str, Any],
    ) -> None:
        self._context = context
        self._day = day
        self.carried = carried
        self.range_inputs = range_inputs

    @property
    def partition_key(self) -> str:
        return self._day

    @property
    def partition_keys(self) -> list[str]:
        return [self._day]

    @property
    def partition_key_range(self) -> dg.PartitionKeyRange:
        return dg.PartitionKeyRange(self._day, self._day)

    @property
    def has_partition_key(self) -> bool:
        return True

    @property
    def has_partition_key_range(self) -> bool:
        return True

    @property
    def partition_time_window(self) -> dg.TimeWindow:
        partitions_def = self._context.assets_def.partitions_def
        assert isinstance(partitions_def, dg.TimeWindowPartitionsDefinition)
        return partitions_def.time_window_for_partition_key(self._day)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def later_days(context: dg.AssetExecutionContext, input_name: str) -> pd.DataFrame | None:
    """The rows of frame input ``input_name`` for the run's days after this one (``None`` in a
    run over one day): what later days of the range will do anyway need not be done today."""
    frame = getattr(context, "range_inputs", {}).get(input_name)
    if not isinstance(frame, pd.DataFrame) or PARTITION_COLUMN not in frame.columns:
        return None
    return frame[frame[PARTITION_COLUMN].astype(str).str[:10] > context.partition_key]


def carried(context: dg.AssetExecutionContext) -> dict[str, Any]:
    """What a step's earlier days in this run left for its later days (empty on the first day,
    and in a run over one day): state that later steps of the run would have written by then."""
    return getattr(context, "carried", {})


def _row_count(metadata: dict[str, Any]) -> int | None:
    value = metadata.get("dagster/row_count")
    value = getattr(value, "value", value)
    return int(value) if isinstance(value, int | float) else None


def _range_metadata(per_day: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The range's own figures, under names no day uses (each day keeps its own metadata)."""
    rows = {day: _row_count(meta) for day, meta in per_day.items()}
    merged: dict[str, Any] = {"days": len(per_day)}
    if all(count is not None for count in rows.values()):
        merged["range_row_count"] = sum(c for c in rows.values() if c is not None)
        merged["rows_per_day"] = dg.MetadataValue.json(rows)
    return merged


def _record_days(
    context: dg.AssetExecutionContext | None,
    key: dg.AssetKey | str,
    per_day: dict[str, dict[str, Any]],
) -> None:
    """Each day's materialisation of ``key`` gets that day's own metadata."""
    if context is None:
        return
    for day, metadata in per_day.items():
        context.add_asset_metadata(metadata, asset_key=key, partition_key=day)


def _with_day(frame: Any, day: str) -> Any:
    if isinstance(frame, pd.DataFrame) and PARTITION_COLUMN not in frame.columns:
        frame = frame.assign(**{PARTITION_COLUMN: dt.date.fromisoformat(day)})
        frame.attrs[ADDED_DAY_COLUMN] = True
    return frame


def _day_metadata(output: dg.Output) -> dict[str, Any]:
    metadata = dict(output.metadata or {})
    if isinstance(output.value, pd.DataFrame):
        metadata.setdefault("dagster/row_count", len(output.value))
    return metadata


def _merged_output(
    context: dg.AssetExecutionContext | None, name: str, outputs: dict[str, dg.Output]
) -> dg.Output:
    values = [_with_day(o.value, day) for day, o in outputs.items()]
    frames = [v for v in values if isinstance(v, pd.DataFrame)]
    if (frames and len(frames) != len(values)) or (
        not frames and any(v is not None for v in values)
    ):
        raise TypeError(f"output {name!r}: a run over several days merges DataFrames only")
    value = concat_days(frames) if frames else None
    if value is not None:
        value.attrs[ADDED_DAY_COLUMN] = all(f.attrs.get(ADDED_DAY_COLUMN) for f in frames)
    metadata = {day: _day_metadata(o) for day, o in outputs.items()}
    if context is not None:  # the output's asset key comes from the step
        _record_days(context, context.asset_key_for_output(name), metadata)
    return dg.Output(value, output_name=name, metadata=_range_metadata(metadata))


def _merged_check(results: dict[str, dg.AssetCheckResult]) -> dg.AssetCheckResult:
    last = results[max(results)]
    failed = {day: r for day, r in results.items() if not r.passed}
    severity = (
        dg.AssetCheckSeverity.ERROR
        if any(r.severity == dg.AssetCheckSeverity.ERROR for r in failed.values())
        else dg.AssetCheckSeverity.WARN
    )
    shown = failed[min(failed)] if failed else last
    return dg.AssetCheckResult(
        asset_key=last.asset_key,
        check_name=last.check_name,
        passed=not failed,
        severity=severity if failed else last.severity,
        metadata={
            **(shown.metadata or {}),
            "days": len(results),
            "failed_days": dg.MetadataValue.json(sorted(failed)),
        },
    )


class RangeResults:
    """What the days of a range yielded, by output, asset and check."""

    def __init__(self) -> None:
        self.outputs: dict[str, dict[str, dg.Output]] = defaultdict(dict)
        self.materialized: dict[dg.AssetKey, dict[str, dg.MaterializeResult]] = defaultdict(dict)
        self.checks: dict[tuple[Any, str], dict[str, dg.AssetCheckResult]] = defaultdict(dict)

    def add(self, day: str, event: Any) -> None:
        if isinstance(event, dg.Output):
            self.outputs[event.output_name][day] = event
        elif isinstance(event, dg.MaterializeResult):
            self.materialized[event.asset_key][day] = event
            for check in event.check_results or ():
                self.add(day, check)
        elif isinstance(event, dg.AssetCheckResult):
            self.checks[(event.asset_key, event.check_name)][day] = event
        else:
            raise TypeError(f"a run over several days cannot merge {type(event).__name__}")

    def merged(
        self, days: list[str], context: dg.AssetExecutionContext | None = None
    ) -> Iterator[Any]:
        """One result per output, asset and check; with the step's ``context`` each day's
        materialisation also gets that day's own metadata."""
        for name, by_day in self.outputs.items():
            _require_every_day(f"output {name!r}", by_day, days)
            yield _merged_output(context, name, by_day)
        for key, by_day in self.materialized.items():
            # Reports (skippable) may have nothing to show on some days: listed, not fatal.
            metadata = {day: dict(r.metadata or {}) for day, r in by_day.items()}
            skipped = [day for day in days if day not in by_day]
            _record_days(context, key, metadata)
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={
                    **_range_metadata(metadata),
                    "days_skipped": dg.MetadataValue.json(skipped),
                },
            )
        for by_day in self.checks.values():
            yield _merged_check(by_day)


def _require_every_day(what: str, by_day: dict[str, Any], days: list[str]) -> None:
    missing = [day for day in days if day not in by_day]
    if missing:
        raise dg.Failure(
            description=(
                f"{what}: nothing for {', '.join(missing)} in a run over {len(days)} days; "
                "nothing was written. Run those days on their own to see why."
            ),
            allow_retries=False,
        )


def _events(context: dg.AssetExecutionContext, returned: Any) -> Iterator[Any]:
    """What a body gave: yielded events, one returned result, or nothing. A returned ``Output``
    without a name is the step's only output's, as Dagster reads a returned value."""
    if returned is None:
        return iter(())
    if isinstance(returned, dg.Output) and returned.output_name == "result":
        (only,) = context.assets_def.keys_by_output_name
        returned = dg.Output(returned.value, output_name=only, metadata=returned.metadata)
    if isinstance(returned, dg.Output | dg.MaterializeResult | dg.AssetCheckResult):
        return iter((returned,))
    return iter(returned)


def per_day(body: Callable[..., Any]) -> Callable[..., Iterator[Any]]:
    """The step of ``body`` (one day's work: yields or returns its results) for a run over any
    range of days."""

    @functools.wraps(body)
    def step(context: dg.AssetExecutionContext, *args: Any, **kwargs: Any) -> Iterator[Any]:
        partitioned = context.assets_def.partitions_def is not None
        days = list(context.partition_keys) if partitioned else []
        if len(days) <= 1:
            yield from _events(context, body(context, *args, **kwargs))
            return
        results = RangeResults()
        shared: dict[str, Any] = {}
        for i, day in enumerate(days, 1):
            context.log.info(f"day {i}/{len(days)}: {day}")
            day_kwargs = {name: day_slice(value, day) for name, value in kwargs.items()}
            for event in _events(
                context, body(DayContext(context, day, shared, kwargs), *args, **day_kwargs)
            ):
                results.add(day, event)
        yield from results.merged(days, context)

    return step
