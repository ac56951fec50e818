"""What every source asset does before it replaces anything: refuse a bad file without retrying,
and refuse a truncated read (no rows, or a steep drop) with a blocking check."""

from collections.abc import Generator, Iterator
from contextlib import contextmanager

import dagster as dg
from pydantic import Field

from leanetl.lib.source_guard import truncation_problem
from leanetl.lib.sources import SourceSchemaError
from leanetl.settings import Settings

TRUNCATION_CHECK = "source_not_truncated"
ROWS_METADATA = "source_rows"


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


def previous_rows(context: dg.AssetExecutionContext, key: dg.AssetKey) -> tuple[str, int] | None:
    """(partition, source rows) of the nearest earlier materialised partition of ``key``."""
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
    value = metadata.get(ROWS_METADATA) or metadata.get("dagster/row_count")
    return (earlier[-1], int(value.value)) if value is not None else None


def _truncation_check(
    context: dg.AssetExecutionContext,
    key: dg.AssetKey,
    rows: int,
    settings: Settings,
    config: SourceConfig,
) -> dg.AssetCheckResult:
    """The blocking check's result."""
    previous = previous_rows(context, key)
    problem = truncation_problem(rows, previous, settings.source_max_drop)
    allowed = problem is not None and config.allow_truncated
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=TRUNCATION_CHECK,
        passed=problem is None or allowed,
        metadata={
            ROWS_METADATA: rows,
            "previous_partition": previous[0] if previous else "none",
            "previous_rows": previous[1] if previous else 0,
            "problem": problem or "none",
            "allowed_by_config": allowed,
        },
    )


def guard_source(
    context: dg.AssetExecutionContext,
    key: dg.AssetKey,
    rows: int,
    settings: Settings,
    config: SourceConfig,
) -> Generator[dg.AssetCheckResult, None, dg.AssetCheckResult]:
    """The truncation check of a source read of ``rows`` rows, used before anything is written:
    ``check = yield from guard_source(...)``. A passed check is returned for the caller to yield
    with its outputs; a failed one is recorded, then the step fails without retries, so nothing
    is written, nothing downstream runs and the outputs of earlier runs stay as they were."""
    check = _truncation_check(context, key, rows, settings, config)
    if check.passed:
        return check
    yield check
    problem = check.metadata["problem"]
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
