"""The volunteers domain: VAN sign-up status history, flake-rate models and their dashboard."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import dagster as dg

from leanetl.defs.dbt import build_domain_dbt_assets
from leanetl.defs.metadata import window
from leanetl.defs.partitions import as_of_vars, daily_partitions, retry_policy
from leanetl.defs.ranges import RANGE_PER_RUN
from leanetl.defs.sources import (
    SourceConfig,
    SourceKeys,
    SourceRead,
    bad_source_fails_without_retry,
    no_source,
    publish_source,
    quarantine_out,
    source_checks,
)
from leanetl.defs.volunteers.common import DOMAIN, SIGNUPS, SIGNUPS_QUARANTINE
from leanetl.lib.volunteers.signups import load_signup_files
from leanetl.settings import Settings

KEYS = SourceKeys(SIGNUPS, SIGNUPS_QUARANTINE)


def build_local_signups_asset(settings: Settings) -> dg.AssetsDefinition:
    """Local source: every ``event_signups*.csv`` under the sources folder (read only)."""
    folder = settings.sources_dir / DOMAIN

    @dg.multi_asset(
        name="load_event_signups",
        group_name=DOMAIN,
        outs={
            KEYS.rows_output: dg.AssetOut(
                key=SIGNUPS,
                io_manager_key="warehouse_io_manager",
                description=(
                    "VAN event sign-up status history, one row per status change, loaded from "
                    f"{folder}/event_signups*.csv (`make sample` puts the sample there)."
                ),
                kinds={"duckdb", "csv"},
                tags={"layer": "raw"},
                is_required=False,
            ),
            KEYS.quarantine_output: quarantine_out(
                KEYS, "Rows of the sign-up files", is_required=False
            ),
        },
        check_specs=source_checks(KEYS, "LEANETL_VOLUNTEERS_QUARANTINE_MAX_SHARE"),
        pool="warehouse",
        retry_policy=retry_policy(settings),
        backfill_policy=RANGE_PER_RUN,
    )
    def load_event_signups(
        context: dg.AssetExecutionContext, config: SourceConfig
    ) -> Iterator[dg.Output | dg.AssetCheckResult]:
        files = sorted(folder.glob("event_signups*.csv"))
        if not files:
            raise no_source("volunteers sign-ups", str(folder), "event_signups*.csv")
        with bad_source_fails_without_retry():
            load = load_signup_files(files)
        read = SourceRead(
            rows=load.rows,
            quarantine=load.quarantine,
            records=len(load.rows) + len(load.quarantine),
            metadata={
                "files": dg.MetadataValue.json(load.files),
                "signups": int(load.rows["event_signup_id"].nunique()),
                "status_changes_window": window(load.rows["status_changed_at"]),
            },
            parts=load.per_file,
        )
        limit = settings.volunteers.quarantine_max_share
        yield from publish_source(context, KEYS, read, limit, guard=(settings, config))

    return load_event_signups


def build_prod_signups_spec(settings: Settings) -> dg.AssetSpec:
    """Prod source: the VAN sync table in BigQuery, read in place by dbt (nothing copied)."""
    return dg.AssetSpec(
        key=SIGNUPS,
        group_name=DOMAIN,
        description=f"VAN event sign-up status history, read in place from {settings.volunteers.signups_table}.",
        kinds={"bigquery"},
        tags={"layer": "raw"},
        metadata={"table": settings.volunteers.signups_table},
    )


def signups_source_vars(settings: Settings) -> dict[str, str | None]:
    """dbt vars that point the ``volunteers.event_signups`` source at this environment's table."""
    if settings.is_local:
        return {
            "volunteers_signups_database": None,
            "volunteers_signups_schema": settings.schema(DOMAIN),
            "volunteers_signups_table": "event_signups",
        }
    project, dataset, table = settings.volunteers.signups_table.split(".")
    return {
        "volunteers_signups_database": project,
        "volunteers_signups_schema": dataset,
        "volunteers_signups_table": table,
    }


def build_volunteers_dbt_assets(settings: Settings) -> dg.AssetsDefinition:
    """The flake-rate models: a run over N days is one ``dbt build`` of all N."""

    def vars_for(days: list[dt.date]) -> dict[str, Any]:
        return {**as_of_vars(days, settings.timezone), **signups_source_vars(settings)}

    return build_domain_dbt_assets(DOMAIN, settings, daily_partitions(settings), vars_for)
