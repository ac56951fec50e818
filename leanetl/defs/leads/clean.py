"""Clean, deduplicated leads and companies, each with its quarantine and checks."""

from collections.abc import Callable

import dagster as dg
import pyarrow as pa

from leanetl.defs.checks import check_results
from leanetl.defs.leads.common import (
    COMPANIES,
    COMPANIES_RAW,
    DOMAIN,
    LEADS,
    LEADS_RAW,
)
from leanetl.defs.metadata import window
from leanetl.defs.partitions import daily_step
from leanetl.defs.sources import (
    SourceKeys,
    SourceRead,
    publish_source,
    quarantine_out,
    source_checks,
)
from leanetl.io_managers.parquet import arrow_input
from leanetl.lib.leads.clean import (
    COMPANY_OUTPUT,
    LEAD_KEY,
    LEAD_OUTPUT,
    Cleaned,
    clean_companies,
    keys_unique,
)
from leanetl.lib.leads.dedupe import REPEATED_COLUMNS, clean_leads
from leanetl.lib.parquet import table_to_frame
from leanetl.settings import Settings


def _checks(keys: SourceKeys, unique_on: tuple[str, ...]) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            "keys_unique",
            asset=keys.rows,
            blocking=True,
            description=f"One row per ({', '.join(unique_on)}), ignoring case.",
        ),
        *source_checks(keys, "LEANETL_LEADS_QUARANTINE_MAX_SHARE"),
    ]


def _build(
    settings: Settings,
    key: dg.AssetKey,
    raw_key: dg.AssetKey,
    description: str,
    columns: tuple[str, ...],
    unique_on: tuple[str, ...],
    repeated_columns: tuple[str, ...],
    clean: Callable[[pa.Table], Cleaned],
    extra_metadata: Callable[[Cleaned], dict[str, object]],
) -> dg.AssetsDefinition:
    # The snapshots were guarded when read; cleaning them quarantines rows, it reads nothing new.
    keys = SourceKeys(key, dg.AssetKey([DOMAIN, f"{key.path[-1]}_quarantine"]), guarded=False)

    @daily_step(
        settings,
        f"clean_{keys.rows_output}",
        retries=False,  # reads only the day's snapshot: a retry would fail the same way
        # Arrow, repeated text dictionary-encoded: 10M raw leads in ~400 MB, not pandas' 1.5 GB.
        ins={"raw": dg.AssetIn(raw_key, metadata=arrow_input(repeated_columns))},
        outs={
            keys.rows_output: dg.AssetOut(
                key=key,
                io_manager_key="parquet_io_manager",
                description=description,
                kinds={"pandas", "parquet"},
                tags={"layer": "core"},
                metadata={"columns": list(columns)},
            ),
            keys.quarantine_output: quarantine_out(
                keys, f"Rows of {raw_key.to_user_string()}", layer="core"
            ),
        },
        check_specs=_checks(keys, unique_on),
    )
    def clean_asset(context: dg.AssetExecutionContext, raw: pa.Table):
        cleaned = clean(raw)
        read = SourceRead(
            rows=cleaned.rows,
            quarantine=cleaned.quarantine,
            records=cleaned.source_rows,
            metadata={"duplicates_merged": cleaned.duplicates_merged, **extra_metadata(cleaned)},
        )
        yield from publish_source(context, keys, read, settings.leads.quarantine_max_share)
        yield from check_results(keys_unique(cleaned.rows, unique_on), {"keys_unique": key})

    return clean_asset


def build_clean_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    timezone = settings.leads.timezone
    leads = _build(
        settings,
        LEADS,
        LEADS_RAW,
        "One row per lead (company, first name, last name, country; case-insensitive): "
        f"captured_at is the earliest operator timestamp (read in {timezone}), title the latest "
        "non-empty one, country the canonical ISO name.",
        LEAD_OUTPUT,
        LEAD_KEY,
        REPEATED_COLUMNS,
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
        ("company", "hq_location", "source"),
        lambda raw: clean_companies(table_to_frame(raw), "companies"),
        lambda c: {
            "unrecognised_hq_locations": dg.MetadataValue.json(c.unrecognised_countries[:50])
        },
    )
    return [leads, companies]
