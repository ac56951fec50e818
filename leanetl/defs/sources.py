"""The one way every domain turns a source into assets.

A source read becomes a ``SourceRead``: typed rows, one quarantine in the one schema
(``lib/quarantine``: source, locator, reason, raw) and the number of records read. ``source_outs``
and ``source_checks`` declare the rows asset, its quarantine asset and its two checks;
``publish_source`` then, in this order, refuses a truncated read (blocking check, nothing written,
no retry), writes rows and quarantine with one metadata vocabulary, and reports the quarantine
check against the domain's limit. A bad file (missing column, not UTF-8) fails at once, without
retries, naming the file (``bad_source_fails_without_retry``).

Metadata of every source: ``source_rows`` (records read), ``dagster/row_count`` (rows written),
``quarantined_rows``, ``quarantine_reasons`` (count per reason), ``preview``.
"""

from collections.abc import Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
import pandas as pd
from pydantic import Field

from leanetl.defs.checks import check_results
from leanetl.defs.metadata import preview
from leanetl.defs.ranges import carried
from leanetl.io_managers.object_store import ObjectStore, StoredObject
from leanetl.lib.quarantine import below_limit, reason_counts
from leanetl.lib.source_guard import truncation_problem
from leanetl.lib.sources import SourceSchemaError
from leanetl.settings import Settings

TRUNCATION_CHECK = "source_not_truncated"
QUARANTINE_CHECK = "quarantine_below_limit"
ROWS_METADATA = "source_rows"


SAMPLE_HINT = "for a local home, `make sample` writes the sample sources (README: Two commands)"


def no_source(what: str, location: str, pattern: str, day: str = "") -> dg.Failure:
    """The failure of a run whose source holds nothing for it: before anything is written, not
    retried, naming where it looked, what for, and how to get the sample."""
    when = f" for {day}" if day else ""
    return dg.Failure(
        description=(
            f"{what}: no {pattern}{when} under {location}; nothing was written. Put the source "
            f"there, or, {SAMPLE_HINT}."
        ),
        allow_retries=False,
    )


def dropped_exports(
    source: ObjectStore, prefix: str, suffixes: tuple[str, ...]
) -> list[StoredObject]:
    """Files a team drops at the source's root: ``<prefix>*`` with one of ``suffixes`` (any
    case), oldest first; nothing from sub-folders."""
    return [
        o
        for o in source.list_objects(prefix)
        if "/" not in o.key and o.key.lower().endswith(suffixes)
    ]


class SourceConfig(dg.Config):
    """Run config of a source asset (set it in the launchpad to accept a source that shrank)."""

    allow_truncated: bool = Field(
        default=False,
        description=(
            "Accept a source with no rows, or with fewer than LEANETL_SOURCE_MAX_DROP of the "
            "previous partition's rows, and replace the partition with it."
        ),
    )


def truncation_check_spec(key: dg.AssetKey) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        TRUNCATION_CHECK,
        asset=key,
        blocking=True,
        description=(
            "The source yielded rows, and not fewer than LEANETL_SOURCE_MAX_DROP below the "
            "previous partition's; otherwise nothing is written and nothing downstream runs "
            "(allow it with the run config allow_truncated: true)."
        ),
    )


def previous_rows(
    context: dg.AssetExecutionContext, key: dg.AssetKey, figure: str = ROWS_METADATA
) -> tuple[str, int] | None:
    """(partition, ``figure``) of the nearest earlier materialised partition of ``key``
    (``source_rows``, else ``dagster/row_count``)."""
    done = context.instance.get_materialized_partitions(key)
    earlier = sorted(p for p in done if p < context.partition_key)
    if not earlier:
        return None
    records = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=[earlier[-1]]), limit=1
    ).records
    if not records or records[0].asset_materialization is None:
        return None
    metadata = records[0].asset_materialization.metadata
    value = metadata.get(figure) or metadata.get("dagster/row_count")
    return (earlier[-1], int(value.value)) if value is not None else None


def guard_source(
    context: dg.AssetExecutionContext,
    key: dg.AssetKey,
    rows: int,
    settings: Settings,
    config: SourceConfig,
    figure: str = ROWS_METADATA,
) -> Generator[dg.AssetCheckResult, None, dg.AssetCheckResult]:
    """The truncation check of a source read of ``rows`` rows, used before anything is written:
    ``check = yield from guard_source(...)``. A passed check is returned for the caller to yield
    with its outputs; a failed one is recorded, then the step fails without retries, so nothing
    is written, nothing downstream runs and the outputs of earlier runs stay as they were."""
    # Against the nearest earlier day's own figure: the run's own earlier day in a range, else
    # the nearest earlier materialised partition.
    previous = carried(context).get((figure, key)) or previous_rows(context, key, figure)
    problem = truncation_problem(rows, previous, settings.source_max_drop)
    allowed = problem is not None and config.allow_truncated
    check = dg.AssetCheckResult(
        asset_key=key,
        check_name=TRUNCATION_CHECK,
        passed=problem is None or allowed,
        metadata={
            figure: rows,
            "previous_partition": previous[0] if previous else "none",
            "previous_rows": previous[1] if previous else 0,
            "problem": problem or "none",
            "allowed_by_config": allowed,
        },
    )
    if check.passed:
        if context.has_partition_key:  # the run's next day compares with this one
            carried(context)[(figure, key)] = (context.partition_key, rows)
        return check
    yield check
    raise dg.Failure(
        description=(
            f"{key.to_user_string()}: {getattr(problem, 'value', problem)}; nothing written, the "
            "previous outputs stay. If the source really shrank, re-run with the run config "
            "allow_truncated: true for this step."
        ),
        allow_retries=False,
    )


@contextmanager
def bad_source_fails_without_retry() -> Iterator[None]:
    """A bad file (missing column, not UTF-8, wrong shape) will not mend itself by retrying:
    fail at once with the message naming the file."""
    try:
        yield
    except SourceSchemaError as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from None


# --- rows and quarantine ------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceKeys:
    """A source's rows asset, its quarantine asset, and whether reads are checked for truncation
    (a first read from outside; not a step that cleans an earlier snapshot)."""

    rows: dg.AssetKey
    quarantine: dg.AssetKey
    guarded: bool = True

    @property
    def rows_output(self) -> str:
        return self.rows.path[-1]

    @property
    def quarantine_output(self) -> str:
        return self.quarantine.path[-1]


@dataclass(frozen=True)
class SourceRead:
    rows: pd.DataFrame
    quarantine: pd.DataFrame  # lib.quarantine's schema
    records: int  # records read: rows before any dedupe, plus the quarantined ones
    metadata: Mapping[str, Any] = field(default_factory=dict)  # the domain's own, besides ours
    # part (e.g. file) -> (records, quarantined): the limit applies to every part too, so one
    # bad export cannot hide among many good ones.
    parts: Mapping[str, tuple[int, int]] = field(default_factory=dict)


def quarantine_out(
    keys: SourceKeys,
    what: str,
    io_manager_key: str = "parquet_io_manager",
    layer: str = "raw",
    is_required: bool = True,
) -> dg.AssetOut:
    return dg.AssetOut(
        key=keys.quarantine,
        io_manager_key=io_manager_key,
        description=(
            f"{what} that could not be used: source, locator (line, row, _id…), reason and the "
            "raw record, one batch per partition."
        ),
        kinds={"mongodb"} if io_manager_key == "mongo_io_manager" else {"parquet"},
        tags={"layer": layer},
        is_required=is_required,
    )


def source_checks(keys: SourceKeys, limit_setting: str) -> list[dg.AssetCheckSpec]:
    """The truncation check (guarded sources) and the quarantine check of a source."""
    quarantine = dg.AssetCheckSpec(
        QUARANTINE_CHECK,
        asset=keys.rows,
        description=(
            f"Less than {limit_setting} of the records read were quarantined (or none), overall "
            "and in each part (file) of the source; warns."
        ),
    )
    return [truncation_check_spec(keys.rows), quarantine] if keys.guarded else [quarantine]


def quarantine_check(keys: SourceKeys, read: SourceRead, limit: float) -> dg.AssetCheckResult:
    """The source's quarantine check (``lib/quarantine.below_limit``); warns."""
    outcome = below_limit(QUARANTINE_CHECK, len(read.quarantine), read.records, read.parts, limit)
    (result,) = check_results(outcome, {QUARANTINE_CHECK: keys.rows}, warn=[QUARANTINE_CHECK])
    return result


def quarantine_metadata(quarantine: pd.DataFrame) -> dict[str, Any]:
    return {
        "dagster/row_count": len(quarantine),
        "quarantined_rows": len(quarantine),
        "quarantine_reasons": dg.MetadataValue.json(reason_counts(quarantine)),
        "preview": preview(quarantine),
    }


def publish_source(
    context: dg.AssetExecutionContext,
    keys: SourceKeys,
    read: SourceRead,
    limit: float,
    guard: tuple[Settings, SourceConfig] | None = None,
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    """Guard (when ``keys.guarded``), then rows, quarantine and their checks, one vocabulary."""
    truncation = None
    if keys.guarded:
        if guard is None:
            raise ValueError(f"{keys.rows.to_user_string()}: a guarded source needs its config")
        truncation = yield from guard_source(context, keys.rows, read.records, *guard)
    if len(read.quarantine):
        first = read.quarantine.iloc[0]
        context.log.warning(
            f"{len(read.quarantine)} of {read.records} records quarantined; first: "
            f"{first['source']} {first['locator']}: {first['reason']}"
        )
    yield dg.Output(
        read.rows,
        output_name=keys.rows_output,
        metadata={
            ROWS_METADATA: read.records,
            "dagster/row_count": len(read.rows),
            "quarantined_rows": len(read.quarantine),
            "preview": preview(read.rows),
            **read.metadata,
        },
    )
    yield dg.Output(
        read.quarantine,
        output_name=keys.quarantine_output,
        metadata=quarantine_metadata(read.quarantine),
    )
    if truncation is not None:
        yield truncation
    yield quarantine_check(keys, read, limit)
