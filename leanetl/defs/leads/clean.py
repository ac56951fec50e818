"""Clean, deduplicated leads and companies, each with its quarantine and checks."""

from collections.abc import Callable

import dagster as dg
import pandas as pd

from leanetl.defs.leads.common import (
    COMPANIES,
    COMPANIES_RAW,
    DOMAIN,
    LEADS,
    LEADS_RAW,
)
from leanetl.defs.metadata import preview, window
from leanetl.defs.partitions import ONE_DAY_PER_RUN, daily_partitions
from leanetl.lib.leads.clean import (
    COMPANY_OUTPUT,
    LEAD_KEY,
    LEAD_OUTPUT,
    Cleaned,
    clean_companies,
    clean_leads,
    duplicate_keys,
)
from leanetl.settings import Settings

QUARANTINE_LIMIT = 0.05


def _checks(key: dg.AssetKey, unique_on: tuple[str, ...]) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            "keys_unique",
            asset=key,
            blocking=True,
            description=f"One row per ({', '.join(unique_on)}), ignoring case.",
        ),
        dg.AssetCheckSpec(
            "quarantine_below_5_percent",
            asset=key,
            description="Fewer than 5% of the source rows went to quarantine.",
        ),
    ]


def _build(
    settings: Settings,
    key: dg.AssetKey,
    raw_key: dg.AssetKey,
    description: str,
    columns: tuple[str, ...],
    unique_on: tuple[str, ...],
    clean: Callable[[pd.DataFrame], Cleaned],
    extra_metadata: Callable[[Cleaned], dict[str, object]],
) -> dg.AssetsDefinition:
    name = key.path[-1]
    quarantine_key = dg.AssetKey([DOMAIN, f"{name}_quarantine"])

    @dg.multi_asset(
        name=f"clean_{name}",
        group_name=DOMAIN,
        partitions_def=daily_partitions(settings),
        ins={"raw": dg.AssetIn(raw_key)},
        outs={
            name: dg.AssetOut(
                key=key,
                io_manager_key="parquet_io_manager",
                description=description,
                kinds={"pandas", "parquet"},
                tags={"layer": "core"},
                metadata={"columns": list(columns)},
            ),
            "quarantine": dg.AssetOut(
                key=quarantine_key,
                io_manager_key="parquet_io_manager",
                description=f"Rows of {raw_key.to_user_string()} that could not be used, with source, row and reason.",
                kinds={"parquet"},
                tags={"layer": "core"},
            ),
        },
        check_specs=_checks(key, unique_on),
        backfill_policy=ONE_DAY_PER_RUN,
    )
    def clean_asset(context: dg.AssetExecutionContext, raw: pd.DataFrame):
        cleaned = clean(raw)
        rows, quarantine = cleaned.rows, cleaned.quarantine
        share = len(quarantine) / cleaned.source_rows if cleaned.source_rows else 0.0
        if len(quarantine):
            first = quarantine.iloc[0]
            context.log.warning(
                f"{len(quarantine)} of {cleaned.source_rows} rows quarantined; first: "
                f"{first['source']} row {first['source_row']}: {first['reason']}"
            )
        duplicated = duplicate_keys(rows, unique_on)
        yield dg.Output(
            rows,
            output_name=name,
            metadata={
                "source_rows": cleaned.source_rows,
                "quarantined_rows": len(quarantine),
                "duplicates_merged": cleaned.duplicates_merged,
                **extra_metadata(cleaned),
                "preview": preview(rows),
            },
        )
        yield dg.Output(
            quarantine,
            output_name="quarantine",
            metadata={
                "quarantined_rows": len(quarantine),
                "reasons": dg.MetadataValue.json(
                    {str(k): int(v) for k, v in quarantine["reason"].value_counts().items()}
                ),
                "preview": preview(quarantine),
            },
        )
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name="keys_unique",
            passed=duplicated == 0,
            metadata={"duplicate_keys": duplicated},
        )
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name="quarantine_below_5_percent",
            passed=share < QUARANTINE_LIMIT,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"quarantined_rows": len(quarantine), "quarantined_share": share},
        )

    return clean_asset


def build_clean_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    timezone = settings.leads_timezone
    leads = _build(
        settings,
        LEADS,
        LEADS_RAW,
        "One row per lead (company, first name, last name, country; case-insensitive): "
        f"captured_at is the earliest operator timestamp (read in {timezone}), title the latest "
        "non-empty one, country the canonical ISO name.",
        LEAD_OUTPUT,
        LEAD_KEY,
        lambda raw: clean_leads(raw, timezone, "leads"),
        lambda c: {
            "captured_window": window(c.rows["captured_at"]),
            "unrecognised_countries": dg.MetadataValue.json(c.unrecognised_countries[:50]),
        },
    )
    companies = _build(
        settings,
        COMPANIES,
        COMPANIES_RAW,
        "One row per (company, HQ location), case-insensitive, with the HQ's country.",
        COMPANY_OUTPUT,
        ("company", "hq_location"),
        lambda raw: clean_companies(raw, "companies"),
        lambda c: {
            "unrecognised_hq_locations": dg.MetadataValue.json(c.unrecognised_countries[:50])
        },
    )
    return [leads, companies]
