"""BigQuery tables replaced atomically from Parquet, through the real client.

A day (or days) of a partitioned table: Parquet → load job with an explicit schema into a staging
table of its own (expires after a day) → the target is created partitioned by day if missing and
gains the staged rows' new columns → one ``MERGE`` deletes the days' rows and inserts the staged
ones → the staging table is dropped. Nothing touches the target before the ``MERGE``, and the
``MERGE`` is one atomic statement: a failed load, a bad schema or a failed statement leaves every
day as it was. A whole table is staged the same way and swapped in by one ``CREATE OR REPLACE
TABLE … AS SELECT`` (atomic too).

Given an emulator's URL (setting ``BIGQUERY_EMULATOR_HOST``, the client library's own variable,
as ``STORAGE_EMULATOR_HOST`` is for GCS), requests go to that emulator with anonymous credentials.
"""

import datetime as dt
import io
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from google.api_core.exceptions import NotFound
from google.cloud import bigquery

from leanetl.clients.bigquery_schema import bigquery_schema, columns_to_add, ddl_type, typed_like
from leanetl.clients.google_credentials import service_account_credentials
from leanetl.lib.parquet import table_to_parquet_bytes

EMULATOR_HOST = "BIGQUERY_EMULATOR_HOST"
STAGING_PREFIX = "_leanetl_staging_"


def client(
    project: str, location: str, emulator_host: str = "", key_json: str = ""
) -> bigquery.Client:
    """A client for ``project``: an emulator's at ``emulator_host`` (anonymous), else with the
    service-account key ``key_json`` (JSON text), else with Google's default credentials."""
    if emulator_host:
        from google.auth.credentials import AnonymousCredentials

        return bigquery.Client(
            project=project,
            location=location,
            credentials=AnonymousCredentials(),
            client_options={"api_endpoint": emulator_host},
        )
    credentials = service_account_credentials(key_json) if key_json else None
    return bigquery.Client(project=project or None, location=location, credentials=credentials)


def _load(
    bq: bigquery.Client,
    table_id: str,
    parquet: bytes,
    schema: list[bigquery.SchemaField],
    disposition: str,
) -> None:
    config = bigquery.LoadJobConfig(
        source_format=bigquery.SourceFormat.PARQUET, schema=schema, write_disposition=disposition
    )
    bq.load_table_from_file(io.BytesIO(parquet), table_id, job_config=config).result()


def replace_table(bq: bigquery.Client, dataset: str, table: str, rows: pa.Table) -> None:
    """``dataset.table`` becomes ``rows`` (rows and columns): staged by a load job, then one
    ``CREATE OR REPLACE TABLE … AS SELECT`` (the emulator keeps the old columns on a truncating
    load; both apply this form alike)."""
    bq.create_dataset(bigquery.Dataset(dataset), exists_ok=True)
    with _staged(
        bq, dataset, table, table_to_parquet_bytes(rows), bigquery_schema(rows.schema)
    ) as staging:
        bq.query(
            f"create or replace table `{dataset}.{table}` as select * from `{staging}`"
        ).result()


@contextmanager
def _staged(
    bq: bigquery.Client,
    dataset: str,
    table: str,
    parquet: bytes,
    fields: list[bigquery.SchemaField],
) -> Iterator[str]:
    """A staging table of ``parquet``'s rows (expires in a day if ever left), dropped after."""
    staging = f"{dataset}.{STAGING_PREFIX}{table}_{uuid.uuid4().hex}"
    _load(bq, staging, parquet, fields, "WRITE_EMPTY")
    try:
        staged = bq.get_table(staging)
        staged.expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
        bq.update_table(staged, ["expires"])
        yield staging
    finally:
        bq.delete_table(staging, not_found_ok=True)


def _existing(bq: bigquery.Client, table_id: str) -> bigquery.Table | None:
    try:
        return bq.get_table(table_id)
    except NotFound:  # the first write of this table
        return None


def _prepare_target(
    bq: bigquery.Client,
    table_id: str,
    target: bigquery.Table | None,
    schema: list[bigquery.SchemaField],
    column: str,
) -> None:
    """Create ``table_id`` partitioned by day on ``column``, or add the new columns to it."""
    if target is None:
        table = bigquery.Table(table_id, schema=schema)
        table.time_partitioning = bigquery.TimePartitioning(type_="DAY", field=column)
        bq.create_table(table)
        return
    # DDL, not a schema patch: one statement per column, the form BigQuery and its emulator
    # both apply to the stored table.
    for field in columns_to_add(target, schema):
        bq.query(
            f"alter table `{table_id}` add column if not exists `{field.name}` {ddl_type(field)}"
        ).result()


@dataclass(frozen=True)
class _Prepared:
    """One slice checked against its target and ready to load: nothing written yet."""

    dataset: str
    table: str
    target: bigquery.Table | None
    fields: list[bigquery.SchemaField]
    parquet: bytes
    days: list[dt.date]

    @property
    def target_id(self) -> str:
        return f"{self.dataset}.{self.table}"


def _prepare_slice(
    bq: bigquery.Client, dataset: str, table: str, rows: pa.Table | Path, days: Sequence[dt.date]
) -> _Prepared:
    """Typed like its target, and refused before anything is written if a column changed type."""
    target_id = f"{dataset}.{table}"
    target = _existing(bq, target_id)
    schema = rows.schema if isinstance(rows, pa.Table) else pq.read_schema(rows)
    if isinstance(rows, Path) and any(pa.types.is_null(f.type) for f in schema):
        rows = pq.read_table(rows)
    if isinstance(rows, pa.Table):
        rows = typed_like(rows, target)
        schema, parquet = rows.schema, table_to_parquet_bytes(rows)
    else:
        parquet = rows.read_bytes()
    fields = bigquery_schema(schema)
    if target is not None:
        columns_to_add(target, fields)  # a type change fails here, before anything is written
    return _Prepared(dataset, table, target, fields, parquet, list(days))


def _merge(bq: bigquery.Client, prepared: _Prepared, staging: str, column: str) -> None:
    _prepare_target(bq, prepared.target_id, prepared.target, prepared.fields, column)
    names = ", ".join(f"`{field.name}`" for field in prepared.fields)
    merge = (
        f"merge `{prepared.target_id}` as old using `{staging}` as new on false "
        f"when not matched by source and old.`{column}` in unnest(@days) then delete "
        f"when not matched then insert ({names}) values ({names})"
    )
    days_param = bigquery.ArrayQueryParameter("days", "DATE", prepared.days)
    config = bigquery.QueryJobConfig(query_parameters=[days_param])
    bq.query(merge, job_config=config).result()


def replace_many(
    bq: bigquery.Client,
    slices: Sequence[tuple[str, str, pa.Table | Path, Sequence[dt.date]]],
    column: str,
) -> None:
    """The rows of each ``(dataset, table, rows, days)`` slice whose ``column`` is one of its
    days become its rows (an Arrow table, or a Parquet file sent as it is). Every slice is
    checked and loaded into its staging table first; only when all are staged does each target
    get its one ``MERGE``, so a refused or failed load leaves every table as it was."""
    for dataset in {s[0] for s in slices}:
        bq.create_dataset(bigquery.Dataset(dataset), exists_ok=True)
    prepared = [_prepare_slice(bq, *s) for s in slices]
    with ExitStack() as stack:
        staged = [
            stack.enter_context(_staged(bq, p.dataset, p.table, p.parquet, p.fields))
            for p in prepared
        ]
        for p, staging in zip(prepared, staged, strict=True):
            _merge(bq, p, staging, column)


def replace_days(
    bq: bigquery.Client,
    dataset: str,
    table: str,
    rows: pa.Table | Path,
    column: str,
    days: Sequence[dt.date],
) -> None:
    """One table's slice (``replace_many`` of one)."""
    replace_many(bq, [(dataset, table, rows, days)], column)


def query_frame(bq: bigquery.Client, sql: str, parameters: Sequence[Any] = ()) -> pd.DataFrame:
    """Rows of a query as a frame (over the REST API: no Storage API client needed)."""
    config = bigquery.QueryJobConfig(query_parameters=list(parameters))
    rows = bq.query(sql, job_config=config).result().to_arrow(create_bqstorage_client=False)
    # Columns as DuckDB's frames hold them, so the code after a query (dashboards, checks) sees
    # one shape from either warehouse: DATE as datetime64[us] (not datetime.date objects), an
    # integer column with NULLs as nullable Int64 (not float64 with NaN).
    frame = rows.to_pandas(date_as_object=False)
    for column in rows.schema:
        if pa.types.is_date(column.type):
            frame[column.name] = frame[column.name].astype("datetime64[us]")
        elif pa.types.is_integer(column.type) and rows.column(column.name).null_count:
            frame[column.name] = pd.array(rows.column(column.name).to_pylist(), dtype="Int64")
    return frame
