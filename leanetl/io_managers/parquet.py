"""Parquet IO manager for pandas frames (inputs also as Arrow tables: ``arrow_input``), Hive-style
day partitions, one implementation for every store.

Layout: ``<root>/<domain>/<asset>/dt=YYYY-MM-DD/data.parquet`` for a daily-partitioned asset and
``<root>/<domain>/<asset>/data.parquet`` for an unpartitioned one. A partition is one object,
serialised fully in memory before it is written, so a failure at any point leaves the previous
partition as it was and a re-run replaces it rather than adding a second file.
"""

from collections.abc import Sequence

import dagster as dg
import pandas as pd
import pyarrow as pa

from leanetl.io_managers.object_store import ObjectStore
from leanetl.lib.parquet import frame_to_parquet_bytes, read_parquet_bytes, read_parquet_table
from leanetl.lib.ranges import ADDED_DAY_COLUMN, PARTITION_COLUMN, concat_days, table_days

FILE_NAME = "data.parquet"
# Input metadata: load this input as an Arrow table, the listed text columns
# dictionary-encoded (``arrow_input``), instead of a pandas frame.
ARROW_INPUT = "leanetl/arrow_dictionary_columns"


def arrow_input(dictionary_columns: Sequence[str] = ()) -> dict[str, list[str]]:
    """``AssetIn`` metadata asking the Parquet IO manager for an Arrow table: a step that
    works column by column (10M rows) reads text without pandas' copy of it."""
    return {ARROW_INPUT: list(dictionary_columns)}


def asset_prefix(asset_key: dg.AssetKey) -> str:
    """``domain/asset`` for a key ``[domain, asset]`` (longer keys keep every part)."""
    path = list(asset_key.path)
    if len(path) == 1:
        path = ["default", *path]
    return "/".join(path)


def partition_object_key(asset_key: dg.AssetKey, partition: str | None) -> str:
    prefix = asset_prefix(asset_key)
    if partition is None:
        return f"{prefix}/{FILE_NAME}"
    return f"{prefix}/{PARTITION_COLUMN}={partition}/{FILE_NAME}"


class PartitionedParquetIOManager(dg.ConfigurableIOManager):
    """Stores pandas DataFrames as Parquet in the lake (local directory, S3 or GCS)."""

    store: dg.ResourceDependency[ObjectStore]

    def _partitions(self, context: dg.OutputContext | dg.InputContext) -> list[str | None]:
        if context.has_asset_partitions:
            return list(context.asset_partition_keys)
        return [None]

    def handle_output(self, context: dg.OutputContext, obj: pd.DataFrame | None) -> None:
        if obj is None:
            return
        if not isinstance(obj, pd.DataFrame):
            raise TypeError(
                f"{context.asset_key.to_user_string()}: the Parquet IO manager stores pandas "
                f"DataFrames, got {type(obj).__name__}"
            )
        partitions = self._partitions(context)
        if len(partitions) > 1 and PARTITION_COLUMN not in obj.columns:
            raise ValueError(
                f"{context.asset_key.to_user_string()}: a run over {len(partitions)} partitions "
                f"must return a '{PARTITION_COLUMN}' column to split the frame by day"
            )
        # Serialise every partition before writing any, so a bad frame writes nothing.
        payloads: list[tuple[str, bytes, int]] = []
        for partition in partitions:
            part = obj
            if len(partitions) > 1:
                part = obj[obj[PARTITION_COLUMN].astype(str).str[:10] == partition]
                if obj.attrs.get(ADDED_DAY_COLUMN):
                    # The day is in the object's path, as in a one-day run's file.
                    part = part.drop(columns=[PARTITION_COLUMN]).reset_index(drop=True)
            key = partition_object_key(context.asset_key, partition)
            payloads.append((key, frame_to_parquet_bytes(part), len(part)))
        for key, data, _ in payloads:
            self.store.put_bytes(key, data)
        uri = (
            self.store.uri(payloads[0][0])
            if len(payloads) == 1
            else self.store.uri(asset_prefix(context.asset_key))
        )
        context.add_output_metadata(
            {
                "dagster/row_count": sum(rows for _, _, rows in payloads),
                "path": dg.MetadataValue.path(uri),
                "bytes": sum(len(data) for _, data, _ in payloads),
            }
        )

    def load_input(self, context: dg.InputContext) -> pd.DataFrame | pa.Table:
        asset_key = context.asset_key
        day_keys = [
            k
            for k in self.store.list_keys(asset_prefix(asset_key) + f"/{PARTITION_COLUMN}=")
            if k.endswith(FILE_NAME)
        ]
        if context.has_asset_partitions and _partitioned_reader(context):
            # A partitioned reader needs exactly its upstream days: a missing one is an error.
            keys = [partition_object_key(asset_key, p) for p in context.asset_partition_keys]
        elif context.has_asset_partitions:
            # An unpartitioned reader of a partitioned asset reads every day there is.
            wanted = {partition_object_key(asset_key, p) for p in context.asset_partition_keys}
            keys = [k for k in day_keys if k in wanted]
        else:
            keys = [partition_object_key(asset_key, None)]
        wanted_arrow = (context.definition_metadata or {}).get(ARROW_INPUT)
        frames = []
        for key in keys:
            try:
                data = self.store.get_bytes(key)
            except FileNotFoundError as exc:
                raise FileNotFoundError(
                    f"{asset_key.to_user_string()}: no Parquet at {self.store.uri(key)}; "
                    "materialise that partition first"
                ) from exc
            if wanted_arrow is None:
                frames.append(read_parquet_bytes(data))
            else:
                frames.append(read_parquet_table(data, wanted_arrow))
        if wanted_arrow is not None:
            return _tables(context, frames)
        if not frames:
            return pd.DataFrame()
        if len(frames) == 1:
            return frames[0]
        if context.has_asset_partitions and _partitioned_reader(context):
            return _with_days(frames, list(context.asset_partition_keys))
        return pd.concat(frames, ignore_index=True)


def _tables(context: dg.InputContext, tables: list[pa.Table]) -> pa.Table:
    """The days' Arrow tables as the input wants them (as ``load_input`` does frames)."""
    if not tables:
        return pa.table({})
    if len(tables) == 1:
        return tables[0]
    if context.has_asset_partitions and _partitioned_reader(context):
        return table_days(tables, list(context.asset_partition_keys))
    return pa.concat_tables(tables, promote_options="permissive")


def _partitioned_reader(context: dg.InputContext) -> bool:
    """The reading step runs for one day or a range of days (not for the whole asset)."""
    return context.has_partition_key or context.step_context.has_partition_key_range


def _with_days(frames: list[pd.DataFrame], days: list[str]) -> pd.DataFrame:
    """Several days' frames as one, each row with its day in ``dt`` (marked as added: a step
    run per day gets each day's rows without it, as a one-day read returns them)."""
    frame = concat_days(
        [f.assign(**{PARTITION_COLUMN: day}) for f, day in zip(frames, days, strict=True)]
    )
    frame.attrs[ADDED_DAY_COLUMN] = True
    return frame
