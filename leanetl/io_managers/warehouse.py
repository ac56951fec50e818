"""The warehouse: DuckDB locally, BigQuery in prod; schema/dataset = domain, table = asset name.

A daily partition is the ``dt`` column. Replacing a partition is atomic on both backends: DuckDB
deletes and inserts inside one transaction; BigQuery stages the rows with a Parquet load job and
swaps the days in with one ``MERGE`` (``leanetl.clients.bigquery``). A new column in the rows is
added to the table (earlier rows NULL), a column the rows lack is NULL in them, and a column whose
type changed is an error naming it, with nothing written.
"""

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import dagster as dg
import duckdb
import pandas as pd
import pyarrow as pa

from leanetl.clients.bigquery_schema import arrow_rows
from leanetl.io_managers.duckdb_columns import add_new_columns, column_types, typed_incoming
from leanetl.io_managers.duckdb_lock import connect_when_free

PARTITION_COLUMN = "dt"


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


# Errors that the same input repeats on every retry (a type, a schema, a refused value).
_DETERMINISTIC = (
    duckdb.ConversionException,
    duckdb.BinderException,
    duckdb.CatalogException,
    duckdb.ConstraintException,
    duckdb.TypeMismatchException,
    duckdb.InvalidInputException,
    duckdb.ParserException,
)


@dataclass(frozen=True)
class Slice:
    """The rows of ``domain.table`` for ``days`` (``dt``), as a frame or a Parquet file of them."""

    domain: str
    table: str
    rows: pd.DataFrame | Path
    days: tuple[dt.date, ...]


@contextmanager
def _not_retried(what: str) -> Iterator[None]:
    """A write refused for its input fails the step at once: a retry would fail the same way."""
    try:
        yield
    except (*_DETERMINISTIC, TypeError) as exc:
        raise dg.Failure(
            description=f"{what}: {exc}; nothing was written", allow_retries=False
        ) from exc
    except ValueError as exc:  # the BigQuery client's type change, an unsafe name
        raise dg.Failure(description=f"{what}: {exc}", allow_retries=False) from exc


class Warehouse(dg.ConfigurableResource):
    """Reads and atomically replaces warehouse tables on DuckDB or BigQuery."""

    backend: Literal["duckdb", "bigquery"] = "duckdb"
    duckdb_path: str = ""
    bq_project: str = ""
    bq_location: str = "US"
    dataset_suffix: str = ""
    # Tests: the BigQuery emulator's URL (anonymous credentials).
    bq_emulator_host: str = ""
    # The service-account key as JSON text (an EnvVar); '' lets Google's client find a key file.
    google_key_json: str = ""

    # -- naming -----------------------------------------------------------------------------
    def schema(self, domain: str) -> str:
        return _ident(f"{domain}{self.dataset_suffix}")

    def table_ref(self, domain: str, table: str) -> str:
        """Fully qualified, quoted name of a table."""
        if self.backend == "duckdb":
            return f'"{self.schema(domain)}"."{_ident(table)}"'
        return f"`{self.bq_project}.{self.schema(domain)}.{_ident(table)}`"

    # -- DuckDB -----------------------------------------------------------------------------
    @contextmanager
    def duckdb_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the DuckDB file, waiting while another process holds its lock."""
        conn = connect_when_free(Path(self.duckdb_path))
        try:
            yield conn
        finally:
            conn.close()

    def _duckdb_write(
        self, conn: duckdb.DuckDBPyConnection, domain: str, table: str, rows: Any, days: list[Any]
    ) -> None:
        """One table's write inside the caller's transaction: the whole table (``days`` None)
        or exactly the rows of ``days``."""
        ref = self.table_ref(domain, table)
        conn.execute(f'create schema if not exists "{self.schema(domain)}"')
        if isinstance(rows, Path):
            source = f"read_parquet('{str(rows).replace(chr(39), chr(39) * 2)}')"
        else:
            conn.register("incoming", rows)
            source = "incoming"
        exists = self._duckdb_table_exists(conn, domain, table)
        existing = column_types(conn, ref) if exists else {}
        incoming = typed_incoming(conn, source, existing, PARTITION_COLUMN)
        if days is None or not exists:
            verb = "create or replace table" if days is None else "create table"
            conn.execute(f"{verb} {ref} as select * from ({incoming.sql_query()}) limit 0")
        if days is not None:
            conn.execute(
                f'delete from {ref} where "{PARTITION_COLUMN}" in (select unnest(?))', [days]
            )
            add_new_columns(conn, ref, incoming)
        conn.execute(f"insert into {ref} by name {incoming.sql_query()}")
        if not isinstance(rows, Path):
            conn.unregister("incoming")

    def _duckdb_table_exists(
        self, conn: duckdb.DuckDBPyConnection, domain: str, table: str
    ) -> bool:
        found = conn.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = $schema and table_name = $table",
            {"schema": self.schema(domain), "table": table},
        ).fetchone()
        return bool(found and found[0])

    def _duckdb_replace_all(self, slices: Sequence[tuple[str, str, Any, list[Any] | None]]) -> None:
        """Every slice in one transaction: all are replaced, or none."""
        with self.duckdb_connection() as conn:
            conn.execute("begin transaction")
            try:
                for domain, table, rows, days in slices:
                    self._duckdb_write(conn, domain, table, rows, days)
                conn.execute("commit")
            except BaseException:
                conn.execute("rollback")
                raise

    # -- BigQuery ---------------------------------------------------------------------------
    def _bq_client(self) -> Any:
        from leanetl.clients import bigquery as bq

        return bq.client(
            self.bq_project, self.bq_location, self.bq_emulator_host, self.google_key_json
        )

    def _dataset(self, domain: str) -> str:
        return f"{self.bq_project}.{self.schema(domain)}"

    def _bq_replace_table(self, domain: str, table: str, frame: pd.DataFrame) -> None:
        from leanetl.clients import bigquery as bq

        rows = arrow_rows(frame, PARTITION_COLUMN)
        assert isinstance(rows, pa.Table)
        bq.replace_table(self._bq_client(), self._dataset(domain), _ident(table), rows)

    # -- public -----------------------------------------------------------------------------
    def replace_table(self, domain: str, table: str, frame: pd.DataFrame) -> None:
        """Replace a whole table atomically."""
        with _not_retried(f"{domain}.{table}"):
            if self.backend == "duckdb":
                self._duckdb_replace_all([(domain, table, frame, None)])
            else:
                self._bq_replace_table(domain, table, frame)

    def replace_partitions(
        self, domain: str, table: str, frame: pd.DataFrame, column: str, values: Sequence[Any]
    ) -> None:
        """Replace exactly the rows whose ``dt`` is in ``values`` with ``frame``, atomically."""
        if column != PARTITION_COLUMN:
            raise ValueError(f"partitions are the {PARTITION_COLUMN!r} column, not {column!r}")
        days = tuple(pd.Timestamp(v).date() for v in values)
        self.replace_slices([Slice(domain, table, frame, days)])

    def replace_partition_from_parquet(
        self, domain: str, table: str, parquet: Path, column: str, value: dt.date
    ) -> None:
        """Replace the rows of day ``value`` with a Parquet file's rows (which carry the ``dt``
        column), atomically, streaming: a table larger than memory is never a frame."""
        if column != PARTITION_COLUMN:
            raise ValueError(f"partitions are the {PARTITION_COLUMN!r} column, not {column!r}")
        self.replace_slices([Slice(domain, table, parquet, (value,))])

    def replace_slices(self, slices: Sequence[Slice]) -> None:
        """Replace several tables' day slices together, as a step's outputs of a day (or a
        range): DuckDB in one transaction; BigQuery stages every slice first and merges only
        when every one loaded. A write refused for its input fails without retries."""
        names = ", ".join(f"{s.domain}.{s.table}" for s in slices)
        with _not_retried(names):
            if self.backend == "duckdb":
                self._duckdb_replace_all(
                    [(s.domain, s.table, s.rows, list(s.days)) for s in slices]
                )
                return
            from leanetl.clients import bigquery as bq

            staged = [
                (
                    self._dataset(s.domain),
                    _ident(s.table),
                    arrow_rows(s.rows, PARTITION_COLUMN),
                    list(s.days),
                )
                for s in slices
            ]
            bq.replace_many(self._bq_client(), staged, PARTITION_COLUMN)

    def query(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Run trusted SQL; ``params`` are bound by name (``$name`` on DuckDB, ``@name`` on BigQuery)."""
        if self.backend == "duckdb":
            with self.duckdb_connection() as conn:
                return conn.execute(sql, params or {}).df()
        from google.cloud import bigquery

        from leanetl.clients import bigquery as bq

        def _param(name: str, value: Any) -> Any:
            kind = {
                bool: "BOOL",
                int: "INT64",
                float: "FLOAT64",
                dt.date: "DATE",
                str: "STRING",
            }.get(type(value), "STRING")
            return bigquery.ScalarQueryParameter(name, kind, value)

        parameters = [_param(k, v) for k, v in (params or {}).items()]
        return bq.query_frame(self._bq_client(), sql, parameters)

    def table_exists(self, domain: str, table: str) -> bool:
        """Whether ``domain``'s ``table`` has been created (the first run of a table has none)."""
        if self.backend == "duckdb":
            with self.duckdb_connection() as conn:
                return bool(
                    conn.execute(
                        "select count(*) from information_schema.tables "
                        "where table_schema = $schema and table_name = $table",
                        {"schema": self.schema(domain), "table": table},
                    ).fetchone()[0]
                )
        from google.api_core.exceptions import NotFound

        try:
            self._bq_client().get_table(f"{self._dataset(domain)}.{_ident(table)}")
        except NotFound:
            return False
        return True

    def param(self, name: str) -> str:
        """How ``query`` SQL refers to a named parameter on this backend."""
        return f"${name}" if self.backend == "duckdb" else f"@{name}"

    def read(
        self, domain: str, table: str, column: str | None = None, values: Sequence[Any] = ()
    ) -> pd.DataFrame:
        """A whole table, or the rows whose ``column`` is in ``values``."""
        sql = f"select * from {self.table_ref(domain, table)}"
        if column is None:
            return self.query(sql)
        if self.backend == "duckdb":
            return self.query(
                f'{sql} where "{column}" in (select unnest($values))', {"values": list(values)}
            )
        from google.cloud import bigquery

        from leanetl.clients import bigquery as bq

        days = bigquery.ArrayQueryParameter("values", "DATE", list(values))
        sql = f"{sql} where `{_ident(column)}` in unnest(@values)"
        return bq.query_frame(self._bq_client(), sql, [days])
