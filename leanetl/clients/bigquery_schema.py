"""BigQuery columns of Arrow tables, checked: the schema a load job gets, the type a column
with no value takes from the table, and the columns a day adds to a table (a changed type is an
error naming the column)."""

import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
from google.cloud import bigquery


def _field_type(kind: pa.DataType, name: str) -> tuple[str, str]:
    """(BigQuery type, mode) of an Arrow type; lists become REPEATED."""
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        element, _ = _field_type(kind.value_type, name)
        return element, "REPEATED"
    if pa.types.is_dictionary(kind):
        return _field_type(kind.value_type, name)
    checks = (
        (pa.types.is_string, "STRING"),
        (pa.types.is_large_string, "STRING"),
        (pa.types.is_null, "STRING"),  # a column with no value yet
        (pa.types.is_boolean, "BOOL"),
        (pa.types.is_integer, "INT64"),
        (pa.types.is_floating, "FLOAT64"),
        (pa.types.is_date, "DATE"),
        (pa.types.is_binary, "BYTES"),
        (pa.types.is_decimal, "NUMERIC"),
    )
    for check, bq_type in checks:
        if check(kind):
            return bq_type, "NULLABLE"
    if pa.types.is_timestamp(kind):
        return ("TIMESTAMP" if kind.tz else "DATETIME"), "NULLABLE"
    raise TypeError(f"column {name!r}: no BigQuery type for Arrow {kind}")


_COLUMN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,299}")


def bigquery_schema(schema: pa.Schema) -> list[bigquery.SchemaField]:
    """The BigQuery columns of an Arrow schema (in order); names are checked, since they go
    into SQL (backquoted) as they are."""
    fields = []
    for field in schema:
        if not _COLUMN_NAME.fullmatch(field.name):
            raise ValueError(f"column {field.name!r}: not a plain BigQuery column name")
        bq_type, mode = _field_type(field.type, field.name)
        fields.append(bigquery.SchemaField(field.name, bq_type, mode=mode))
    return fields


_ARROW_TYPES = {
    "STRING": pa.string(),
    "BOOL": pa.bool_(),
    "BOOLEAN": pa.bool_(),
    "INT64": pa.int64(),
    "INTEGER": pa.int64(),
    "FLOAT64": pa.float64(),
    "FLOAT": pa.float64(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us", tz="UTC"),
    "DATETIME": pa.timestamp("us"),
    "BYTES": pa.binary(),
}


def typed_like(rows: pa.Table, target: bigquery.Table | None) -> pa.Table:
    """Columns with no value at all (Arrow's null type) take the target's type for them, so a
    day without any value of an optional column is not a type change."""
    existing = {field.name: field for field in (target.schema if target else [])}
    for i, field in enumerate(rows.schema):
        old = existing.get(field.name)
        if pa.types.is_null(field.type) and old is not None and old.mode != "REPEATED":
            arrow_type = _ARROW_TYPES.get(old.field_type)
            if arrow_type is not None:
                rows = rows.set_column(i, field.name, rows.column(i).cast(arrow_type))
    return rows


_STANDARD_NAMES = {"INTEGER": "INT64", "FLOAT": "FLOAT64", "BOOLEAN": "BOOL"}


def ddl_type(field: bigquery.SchemaField) -> str:
    name = _STANDARD_NAMES.get(field.field_type, field.field_type)
    return f"ARRAY<{name}>" if field.mode == "REPEATED" else name


def columns_to_add(
    target: bigquery.Table, staged: list[bigquery.SchemaField]
) -> list[bigquery.SchemaField]:
    """Staged columns the target lacks; a column whose type changed is an error."""
    existing = {field.name: field for field in target.schema}
    added = []
    for field in staged:
        old = existing.get(field.name)
        if old is None:
            added.append(field)
        elif (ddl_type(old), old.mode) != (ddl_type(field), field.mode):
            raise ValueError(
                f"{target.full_table_id}: column {field.name!r} is {ddl_type(old)} "
                f"({old.mode}) in the table but {ddl_type(field)} ({field.mode}) in the new "
                "rows; nothing was written (rename the column or rebuild the table)"
            )
    return added


def arrow_rows(rows: pd.DataFrame | Path, date_column: str) -> pa.Table | Path:
    """A frame as Arrow, its ``date_column`` a DATE even when the frame is empty (a Parquet file
    as it is)."""
    if isinstance(rows, Path):
        return rows
    table = pa.Table.from_pandas(rows, preserve_index=False)
    if date_column in table.column_names:
        i = table.column_names.index(date_column)
        if pa.types.is_null(table.schema.field(i).type):
            table = table.set_column(i, date_column, table.column(i).cast(pa.date32()))
    return table
