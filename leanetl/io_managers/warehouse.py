"""The warehouse: DuckDB locally, BigQuery in prod; schema/dataset = domain, table = asset name.

A daily partition is the ``dt`` column. Replacing a partition is atomic on both backends: DuckDB
deletes and inserts inside one transaction; BigQuery stages the rows with a Parquet load job and
swaps the days in with one ``MERGE`` (``leanetl.clients.bigquery``). A new column in the rows is
added to the table (earlier rows NULL), a column the rows lack is NULL in them, and a column whose
type changed is an error naming it, with nothing written.
"""

import datetime as dt
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import dagster as dg
import duckdb
import pandas as pd
import pyarrow as pa

PARTITION_COLUMN = "dt"
_LOCK_WAIT_SECONDS = 120.0


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


def _add_new_columns(
    conn: duckdb.DuckDBPyConnection, ref: str, incoming: duckdb.DuckDBPyRelation
) -> None:
    """Columns of ``incoming`` that table ``ref`` lacks are added (earlier rows NULL), as on
    BigQuery; a column ``incoming`` lacks is NULL in its rows (``insert … by name``)."""
    existing = {row[0] for row in conn.execute(f"describe {ref}").fetchall()}
    for name, kind in zip(incoming.columns, incoming.types, strict=True):
        if name not in existing:
            quoted = '"' + name.replace('"', '""') + '"'
            conn.execute(f"alter table {ref} add column {quoted} {kind}")


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
        # The file's folder may not exist yet when no local source has created $LEANETL_HOME.
        Path(self.duckdb_path).parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + _LOCK_WAIT_SECONDS
        while True:
            try:
                conn = duckdb.connect(self.duckdb_path)
                break
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        try:
            yield conn
        finally:
            conn.close()

    def _duckdb_replace(
        self, domain: str, table: str, frame: pd.DataFrame, column: str | None, values: list[Any]
    ) -> None:
        ref = self.table_ref(domain, table)
        with self.duckdb_connection() as conn:
            conn.register("incoming", frame)
            conn.execute("begin transaction")
            try:
                conn.execute(f'create schema if not exists "{self.schema(domain)}"')
                if column is None:
                    conn.execute(f"create or replace table {ref} as select * from incoming")
                else:
                    conn.execute(
                        f"create table if not exists {ref} as select * from incoming limit 0"
                    )
                    conn.execute(
                        f'delete from {ref} where "{column}" in (select unnest(?))', [values]
                    )
                    _add_new_columns(conn, ref, conn.sql("select * from incoming"))
                    conn.execute(f"insert into {ref} by name select * from incoming")
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

    def _bq_replace(
        self, domain: str, table: str, frame: pd.DataFrame, column: str | None, values: list[Any]
    ) -> None:
        from leanetl.clients import bigquery as bq

        rows = pa.Table.from_pandas(frame, preserve_index=False)
        dataset, name = self._dataset(domain), _ident(table)
        if column is None:
            bq.replace_table(self._bq_client(), dataset, name, rows)
        else:
            days = [pd.Timestamp(v).date() for v in values]
            bq.replace_days(self._bq_client(), dataset, name, rows, _ident(column), days)

    # -- public -----------------------------------------------------------------------------
    def replace_table(self, domain: str, table: str, frame: pd.DataFrame) -> None:
        """Replace a whole table atomically."""
        if self.backend == "duckdb":
            self._duckdb_replace(domain, table, frame, None, [])
        else:
            self._bq_replace(domain, table, frame, None, [])

    def replace_partitions(
        self, domain: str, table: str, frame: pd.DataFrame, column: str, values: Sequence[Any]
    ) -> None:
        """Replace exactly the rows whose ``column`` is in ``values`` with ``frame``, atomically."""
        if self.backend == "duckdb":
            self._duckdb_replace(domain, table, frame, column, list(values))
        else:
            self._bq_replace(domain, table, frame, column, list(values))

    def replace_partition_from_parquet(
        self, domain: str, table: str, parquet: Path, column: str, value: dt.date
    ) -> None:
        """Replace the rows whose ``column`` is ``value`` with a Parquet file's rows (which carry
        that column), atomically, streaming: a table larger than memory is never a frame."""
        if self.backend == "duckdb":
            ref, source = self.table_ref(domain, table), "select * from read_parquet($path)"
            with self.duckdb_connection() as conn:
                conn.execute("begin transaction")
                try:
                    conn.execute(f'create schema if not exists "{self.schema(domain)}"')
                    conn.execute(
                        f"create table if not exists {ref} as {source} limit 0",
                        {"path": str(parquet)},
                    )
                    conn.execute(f'delete from {ref} where "{_ident(column)}" = $v', {"v": value})
                    _add_new_columns(conn, ref, conn.read_parquet(str(parquet)))
                    conn.execute(f"insert into {ref} by name {source}", {"path": str(parquet)})
                    conn.execute("commit")
                except BaseException:
                    conn.execute("rollback")
                    raise
            return
        from leanetl.clients import bigquery as bq

        bq.replace_days(
            self._bq_client(),
            self._dataset(domain),
            _ident(table),
            parquet,
            _ident(column),
            [value],
        )

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


class WarehouseIOManager(dg.ConfigurableIOManager):
    """Stores DataFrames as ``<domain>.<asset>``; daily partitions live in the ``dt`` column."""

    warehouse: dg.ResourceDependency[Warehouse]

    @staticmethod
    def _domain_table(key: dg.AssetKey) -> tuple[str, str]:
        path = list(key.path)
        return (path[0], path[-1]) if len(path) > 1 else ("default", path[0])

    @staticmethod
    def _days(context: dg.OutputContext | dg.InputContext) -> list[dt.date]:
        return [dt.date.fromisoformat(k) for k in context.asset_partition_keys]

    def handle_output(self, context: dg.OutputContext, obj: pd.DataFrame | None) -> None:
        if obj is None:
            return
        domain, table = self._domain_table(context.asset_key)
        if not context.has_asset_partitions:
            self.warehouse.replace_table(domain, table, obj)
        else:
            days = self._days(context)
            if len(days) == 1:
                obj = obj.assign(**{PARTITION_COLUMN: days[0]})
            elif PARTITION_COLUMN not in obj.columns:
                raise ValueError(
                    f"{context.asset_key.to_user_string()}: a run over {len(days)} partitions "
                    f"must return a '{PARTITION_COLUMN}' column"
                )
            self.warehouse.replace_partitions(domain, table, obj, PARTITION_COLUMN, days)
        context.add_output_metadata(
            {
                "dagster/row_count": len(obj),
                "table": self.warehouse.table_ref(domain, table),
            }
        )

    def load_input(self, context: dg.InputContext) -> pd.DataFrame:
        domain, table = self._domain_table(context.asset_key)
        if context.has_asset_partitions:
            return self.warehouse.read(domain, table, PARTITION_COLUMN, self._days(context))
        return self.warehouse.read(domain, table)
