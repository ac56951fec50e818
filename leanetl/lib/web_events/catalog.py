"""The Glue/Athena side of the query layer (pure: no AWS calls here).

Every table is an external Parquet table over ``<root>/transformed/<table>/`` with ``dt`` (the
arrival day, ``yyyy-MM-dd``) as its partition, found by partition projection, so Athena needs no
crawler and no ``MSCK REPAIR``. A column keeps its first type; a column seen later with another
type becomes ``string`` (Athena reads the older files' numbers as text).
"""

from collections.abc import Mapping

import pyarrow as pa

from leanetl.lib.web_events.query import checked_name

PROJECTION_START = "2020-01-01"


def athena_type(arrow: pa.DataType) -> str:
    if pa.types.is_boolean(arrow):
        return "boolean"
    if pa.types.is_integer(arrow):
        return "bigint"
    if pa.types.is_floating(arrow):
        return "double"
    if pa.types.is_timestamp(arrow):
        return "timestamp"
    return "string"


def merged_columns(known: Mapping[str, str], seen: Mapping[str, str]) -> dict[str, str]:
    """Known columns keep their order; new ones follow; a type conflict becomes ``string``."""
    out = dict(known)
    for name, kind in seen.items():
        checked_name(name)
        if name not in out:
            out[name] = kind
        elif out[name] != kind and {out[name], kind} != {"bigint", "double"}:
            out[name] = "string"
        elif out[name] != kind:
            out[name] = "double"
    return out


def table_input(table: str, location: str, columns: Mapping[str, str]) -> dict:
    """Glue ``TableInput`` of one table with ``dt`` partition projection."""
    location = location.rstrip("/") + "/"
    return {
        "Name": checked_name(table),
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {
            "classification": "parquet",
            "EXTERNAL": "TRUE",
            "projection.enabled": "true",
            "projection.dt.type": "date",
            "projection.dt.format": "yyyy-MM-dd",
            "projection.dt.range": f"{PROJECTION_START},NOW",
            "projection.dt.interval": "1",
            "projection.dt.interval.unit": "DAYS",
            "storage.location.template": location + "dt=${dt}/",
        },
        "PartitionKeys": [{"Name": "dt", "Type": "string"}],
        "StorageDescriptor": {
            "Columns": [{"Name": name, "Type": kind} for name, kind in columns.items()],
            "Location": location,
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {
                "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
            },
        },
    }


def athena_ddl(database: str, table: str, location: str, columns: Mapping[str, str]) -> str:
    """The same table as Athena DDL (what a person would paste into the Athena console)."""
    spec = table_input(table, location, columns)
    cols = ",\n  ".join(f"`{n}` {t}" for n, t in columns.items())
    props = ",\n  ".join(f"'{k}'='{v}'" for k, v in spec["Parameters"].items() if k != "EXTERNAL")
    return (
        f"CREATE EXTERNAL TABLE IF NOT EXISTS `{checked_name(database)}`.`{spec['Name']}` (\n  {cols}\n)\n"
        "PARTITIONED BY (`dt` string)\n"
        "STORED AS PARQUET\n"
        f"LOCATION '{spec['StorageDescriptor']['Location']}'\n"
        f"TBLPROPERTIES (\n  {props}\n)"
    )


def athena_dedup_query(database: str, table: str, day: str) -> str:
    """The query to try: one day of a table, one row per message_id (first delivery)."""
    return (
        f"SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY message_id ORDER BY received_at, "
        f'raw_object, raw_offset) AS "_leanetl_delivery_rank" FROM "{checked_name(database)}"."{checked_name(table)}" '
        f"WHERE dt = '{day}') WHERE \"_leanetl_delivery_rank\" = 1"
    )
