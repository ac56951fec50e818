"""The leads sources: the Google Sheet (or its newest export) and the companies file."""

from collections.abc import Iterator
from typing import Any

import dagster as dg
import pandas as pd

from leanetl.clients.sheets import SheetsUnavailable
from leanetl.defs.leads.common import COMPANIES_RAW, LEADS_RAW
from leanetl.defs.leads.resources import GoogleSheetsResource
from leanetl.defs.metadata import preview
from leanetl.defs.partitions import daily_step
from leanetl.defs.sources import (
    SAMPLE_HINT,
    SourceConfig,
    bad_source_fails_without_retry,
    dropped_exports,
    guard_source,
    no_source,
    truncation_check_spec,
)
from leanetl.io_managers.object_store import ObjectStore, StoredObject
from leanetl.lib.leads.clean import COMPANY_COLUMNS, LEAD_COLUMNS, empty_raw
from leanetl.lib.leads.sheet_values import read_export, values_to_frame
from leanetl.lib.sources import require_columns
from leanetl.lib.text import TEXT
from leanetl.settings import Settings

EXPORT_SUFFIXES = (".csv", ".json")


def newest_export(source: ObjectStore, prefix: str) -> StoredObject | None:
    """The most recently modified ``<prefix>*.csv`` or ``<prefix>*.json`` at the source's root."""
    found = dropped_exports(source, prefix, EXPORT_SUFFIXES)
    return found[-1] if found else None


def shape(frame: pd.DataFrame, required: tuple[str, ...], source: str) -> pd.DataFrame:
    """The required columns plus origin, as text. A source with no cells at all is empty."""
    if not [c for c in frame.columns if c not in ("source", "source_row")]:
        return empty_raw(required).astype({c: TEXT for c in required})
    frame = require_columns(frame, required, source)
    return frame[[*required, "source", "source_row"]].astype({c: TEXT for c in required})


def raw_source(key: dg.AssetKey, kinds: set[str], description: str) -> dict[str, Any]:
    """``daily_step`` arguments of a daily source snapshot stored as Parquet (retried when the
    outside system fails; a backfill reads the source once per day)."""
    return {
        "outs": {
            key.path[-1]: dg.AssetOut(
                key=key,
                io_manager_key="parquet_io_manager",
                kinds=kinds,
                tags={"layer": "raw"},
                description=description,
                # Not written when the source looks truncated (the blocking check fails).
                is_required=False,
            )
        },
        "check_specs": [truncation_check_spec(key)],
    }


def guarded_output(
    context: dg.AssetExecutionContext,
    key: dg.AssetKey,
    output: dg.Output[pd.DataFrame],
    settings: Settings,
    config: SourceConfig,
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    """The snapshot and its truncation check; a truncated one is not written."""
    check = yield from guard_source(context, key, len(output.value), settings, config)
    yield dg.Output(output.value, output_name=key.path[-1], metadata=output.metadata)
    yield check


def _from_sheet(
    context: dg.AssetExecutionContext, settings: Settings, sheets: GoogleSheetsResource
) -> tuple[pd.DataFrame | None, dict[str, object], str]:
    """(the sheet's leads or None, their metadata, why not the sheet)."""
    leads = settings.leads
    if not leads.sheet_key:
        return None, {}, "LEANETL_LEADS_SHEET_KEY is not set"
    try:
        values = sheets.read(leads.sheet_key, leads.worksheet)
    except SheetsUnavailable as exc:
        context.log.warning(f"Google Sheet unavailable, falling back to an export: {exc}")
        return None, {}, str(exc)
    name = f"Google Sheet '{values.spreadsheet_title}' / '{values.worksheet_title}'"
    frame = shape(
        values_to_frame(values.rows, values.first_row, name, LEAD_COLUMNS), LEAD_COLUMNS, name
    )
    if values.timezone != leads.timezone:
        # Dates typed into cells arrive as serials in the sheet's own timezone.
        context.log.warning(
            f"{name} is set to {values.timezone}; its date cells are read in "
            f"LEANETL_LEADS_TIMEZONE={leads.timezone}"
        )
    metadata = {
        "source": "google_sheet",
        "source_detail": name,
        "sheet_timezone": values.timezone,
        "api_attempts": values.attempts,
    }
    return frame, metadata, ""


def _from_export(leads_source: ObjectStore, reason: str) -> tuple[pd.DataFrame, dict[str, object]]:
    """The newest leads export and its metadata; a failure (not retried) when there is none."""
    export = newest_export(leads_source, "leads")
    if export is None:
        raise dg.Failure(
            f"leads: Google Sheet unavailable ({reason}) and no leads*.csv or "
            f"leads*.json export under {leads_source.uri('')}; nothing was written. "
            f"Put an export there, or, {SAMPLE_HINT}.",
            allow_retries=False,
        )
    uri = leads_source.uri(export.key)
    frame = shape(
        read_export(uri, leads_source.get_bytes(export.key), LEAD_COLUMNS), LEAD_COLUMNS, uri
    )
    metadata = {
        "source": "export",
        "source_detail": uri,
        "export_modified": export.modified.isoformat(timespec="seconds"),
        "fallback_reason": reason,
    }
    return frame, metadata


def _read_leads(
    context: dg.AssetExecutionContext,
    settings: Settings,
    sheets: GoogleSheetsResource,
    leads_source: ObjectStore,
) -> dg.Output[pd.DataFrame]:
    """The sheet, or when it cannot be read, the newest export (metadata says which, and why)."""
    frame, metadata, reason = _from_sheet(context, settings, sheets)
    if frame is None:
        frame, metadata = _from_export(leads_source, reason)
    return dg.Output(
        frame, metadata={**metadata, "source_rows": len(frame), "preview": preview(frame)}
    )


def build_read_leads_sheet(settings: Settings) -> dg.AssetsDefinition:
    sheet = settings.leads.sheet_key

    @daily_step(
        settings,
        "read_leads_sheet",
        **raw_source(
            LEADS_RAW,
            {"googlesheets", "csv", "parquet"},
            "The leads as the operators typed them: the Google Sheet "
            f"{sheet or '(not configured)'} read with gspread, or, when the Sheets API fails or "
            f"is not configured, the newest leads*.csv / leads*.json under {settings.leads.source_url}. "
            "Metadata says which source was used and why.",
        ),
    )
    def read_leads_sheet(
        context: dg.AssetExecutionContext,
        config: SourceConfig,
        sheets: GoogleSheetsResource,
        leads_source: ObjectStore,
    ) -> Iterator[dg.Output | dg.AssetCheckResult]:
        with bad_source_fails_without_retry():
            output = _read_leads(context, settings, sheets, leads_source)
        yield from guarded_output(context, LEADS_RAW, output, settings, config)

    return read_leads_sheet


def build_read_companies_file(settings: Settings) -> dg.AssetsDefinition:

    @daily_step(
        settings,
        "read_companies_file",
        **raw_source(
            COMPANIES_RAW,
            {"csv", "parquet"},
            f"Companies and their HQ: the newest companies*.csv under {settings.leads.source_url}.",
        ),
    )
    def read_companies_file(
        context: dg.AssetExecutionContext, config: SourceConfig, leads_source: ObjectStore
    ) -> Iterator[dg.Output | dg.AssetCheckResult]:
        export = newest_export(leads_source, "companies")
        if export is None:
            raise no_source("companies", leads_source.uri(""), "companies*.csv")
        uri = leads_source.uri(export.key)
        with bad_source_fails_without_retry():
            frame = shape(
                read_export(uri, leads_source.get_bytes(export.key), COMPANY_COLUMNS),
                COMPANY_COLUMNS,
                uri,
            )
        output = dg.Output(
            frame,
            metadata={"source_detail": uri, "source_rows": len(frame), "preview": preview(frame)},
        )
        yield from guarded_output(context, COMPANIES_RAW, output, settings, config)

    return read_companies_file


def build_source_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    return [build_read_leads_sheet(settings), build_read_companies_file(settings)]
