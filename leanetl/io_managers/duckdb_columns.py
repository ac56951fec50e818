"""Columns of DuckDB tables as rows arrive: a column without any value takes the table's type,
a new column is added (earlier rows NULL), as BigQuery does (``clients/bigquery_schema.py``)."""

import duckdb


def column_types(conn: duckdb.DuckDBPyConnection, ref: str) -> dict[str, str]:
    return {row[0]: row[1] for row in conn.execute(f"describe {ref}").fetchall()}


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def is_null(kind: object) -> bool:
    return str(kind).strip('"') == "NULL"


def typed_incoming(
    conn: duckdb.DuckDBPyConnection, source: str, existing: dict[str, str], date_column: str
) -> duckdb.DuckDBPyRelation:
    """``source``'s rows with no column of type NULL (a column without any value, e.g. of an
    empty frame): such a column takes the table's type, ``date_column`` is a DATE, any other
    VARCHAR."""
    incoming = conn.sql(f"select * from {source}")

    def declared(name: str) -> str:
        kind = existing.get(name, "NULL")
        if not is_null(kind):
            return kind
        return "DATE" if name == date_column else "VARCHAR"

    casts = [
        f"cast({quoted(name)} as {declared(name)}) as {quoted(name)}"
        for name, kind in zip(incoming.columns, incoming.types, strict=True)
        if is_null(kind)
    ]
    if not casts:
        return incoming
    return conn.sql(f"select * replace ({', '.join(casts)}) from {source}")


def add_new_columns(
    conn: duckdb.DuckDBPyConnection, ref: str, incoming: duckdb.DuckDBPyRelation
) -> None:
    """Columns of ``incoming`` that table ``ref`` lacks are added (earlier rows NULL), as on
    BigQuery; a column ``incoming`` lacks is NULL in its rows (``insert … by name``)."""
    existing = column_types(conn, ref)
    for name, kind in zip(incoming.columns, incoming.types, strict=True):
        if name not in existing:
            conn.execute(f"alter table {ref} add column {quoted(name)} {kind}")
        elif is_null(existing[name]):  # made by an older leanetl from an empty frame
            conn.execute(f"alter table {ref} alter column {quoted(name)} type {kind}")
