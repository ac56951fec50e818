"""The volunteers domain: VAN sign-up status history, flake-rate models and their dashboard."""

from collections.abc import Iterator

import dagster as dg

from leanetl.defs.dbt import build_domain_dbt_assets
from leanetl.defs.metadata import preview, window
from leanetl.defs.partitions import ONE_DAY_PER_RUN, as_of_vars, daily_partitions, partition_day
from leanetl.defs.source_guard import (
    ROWS_METADATA,
    SourceConfig,
    bad_source_fails_without_retry,
    guard_source,
    truncation_check_spec,
)
from leanetl.lib.volunteers.signups import SignupLoad, load_signup_files
from leanetl.sample.volunteers import ensure_sample_files
from leanetl.settings import Settings

DOMAIN = "volunteers"
SIGNUPS = dg.AssetKey([DOMAIN, "event_signups"])
QUARANTINE = dg.AssetKey([DOMAIN, "event_signups_quarantine"])
QUARANTINE_CHECK = "quarantine_below_one_percent"
QUARANTINE_LIMIT = 0.01


def quarantine_check(load: SignupLoad) -> dg.AssetCheckResult:
    """Below 1 % quarantined overall and in every file (one bad export cannot hide in many)."""
    total = len(load.rows) + len(load.quarantine)
    share = len(load.quarantine) / total if total else 0.0
    file_shares = {f: q / n for f, (n, q) in load.per_file.items() if n}
    worst = max(file_shares, key=file_shares.__getitem__, default="")
    return dg.AssetCheckResult(
        asset_key=SIGNUPS,
        check_name=QUARANTINE_CHECK,
        passed=share < QUARANTINE_LIMIT and all(s < QUARANTINE_LIMIT for s in file_shares.values()),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "quarantined_rows": len(load.quarantine),
            "quarantined_share": share,
            "worst_file": worst or "none",
            "worst_file_share": file_shares.get(worst, 0.0),
        },
    )


def build_local_signups_asset(settings: Settings) -> dg.AssetsDefinition:
    """Local source: every ``event_signups*.csv`` under the sources folder (sample if none)."""
    folder = settings.sources_dir / DOMAIN

    @dg.multi_asset(
        name="load_event_signups",
        group_name=DOMAIN,
        outs={
            "event_signups": dg.AssetOut(
                key=SIGNUPS,
                io_manager_key="warehouse_io_manager",
                description=(
                    "VAN event sign-up status history, one row per status change, loaded from "
                    f"{folder}/event_signups*.csv (a sample is written when there is none)."
                ),
                kinds={"duckdb", "csv"},
                tags={"layer": "raw"},
                is_required=False,
            ),
            "event_signups_quarantine": dg.AssetOut(
                key=QUARANTINE,
                io_manager_key="parquet_io_manager",
                description="Rows of the sign-up files that could not be parsed, with file, line and reason.",
                kinds={"parquet"},
                tags={"layer": "raw"},
                is_required=False,
            ),
        },
        check_specs=[
            dg.AssetCheckSpec(
                QUARANTINE_CHECK,
                asset=SIGNUPS,
                description="Fewer than 1% of the source rows were quarantined, overall and in each file.",
            ),
            truncation_check_spec(SIGNUPS),
        ],
        pool="warehouse",
        backfill_policy=ONE_DAY_PER_RUN,
    )
    def load_event_signups(
        context: dg.AssetExecutionContext, config: SourceConfig
    ) -> Iterator[dg.Output | dg.AssetCheckResult]:
        files = ensure_sample_files(folder, settings.today(), settings.timezone)
        with bad_source_fails_without_retry():
            load = load_signup_files(files)
        rows, quarantine = load.rows, load.quarantine
        guard = yield from guard_source(
            context, SIGNUPS, len(rows) + len(quarantine), settings, config
        )
        if len(quarantine):
            context.log.warning(
                f"{len(quarantine)} sign-up rows quarantined, first: "
                f"{quarantine.iloc[0]['source_file']} line {quarantine.iloc[0]['line']}: "
                f"{quarantine.iloc[0]['reason']}"
            )
        yield dg.Output(
            rows,
            output_name="event_signups",
            metadata={
                ROWS_METADATA: len(rows) + len(quarantine),
                "quarantined_rows": len(quarantine),
                "files": dg.MetadataValue.json(load.files),
                "signups": int(rows["event_signup_id"].nunique()),
                "status_changes_window": window(rows["status_changed_at"]),
                "preview": preview(rows),
            },
        )
        yield dg.Output(
            quarantine,
            output_name="event_signups_quarantine",
            metadata={"quarantined_rows": len(quarantine), "preview": preview(quarantine)},
        )
        yield guard
        yield quarantine_check(load)

    return load_event_signups


def build_prod_signups_spec(settings: Settings) -> dg.AssetSpec:
    """Prod source: the VAN sync table in BigQuery, read in place by dbt (nothing copied)."""
    return dg.AssetSpec(
        key=SIGNUPS,
        group_name=DOMAIN,
        description=f"VAN event sign-up status history, read in place from {settings.van_signups_table}.",
        kinds={"bigquery"},
        tags={"layer": "raw"},
        metadata={"table": settings.van_signups_table},
    )


def signups_source_vars(settings: Settings) -> dict[str, str | None]:
    """dbt vars that point the ``volunteers.event_signups`` source at this environment's table."""
    if settings.is_local:
        return {
            "volunteers_signups_database": None,
            "volunteers_signups_schema": settings.schema(DOMAIN),
            "volunteers_signups_table": "event_signups",
        }
    project, dataset, table = settings.van_signups_table.split(".")
    return {
        "volunteers_signups_database": project,
        "volunteers_signups_schema": dataset,
        "volunteers_signups_table": table,
    }


def build_volunteers_dbt_assets(settings: Settings) -> dg.AssetsDefinition:
    def vars_for(context: dg.AssetExecutionContext) -> dict[str, str | None]:
        return {
            **as_of_vars(partition_day(context), settings.timezone),
            **signups_source_vars(settings),
        }

    return build_domain_dbt_assets(DOMAIN, settings, daily_partitions(settings), vars_for)
