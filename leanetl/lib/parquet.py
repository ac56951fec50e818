"""Parquet bytes <-> pandas frames (and Arrow tables), the one way leanetl writes and reads them."""

import io
from collections.abc import Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def frame_to_parquet_bytes(frame: pd.DataFrame) -> bytes:
    return table_to_parquet_bytes(pa.Table.from_pandas(frame, preserve_index=False))


def table_to_parquet_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    # Microsecond timestamps: Spark and BigQuery cannot read Parquet's nanosecond ones.
    pq.write_table(
        table, buffer, compression="zstd", coerce_timestamps="us", allow_truncated_timestamps=True
    )
    return buffer.getvalue()


def read_parquet_bytes(data: bytes) -> pd.DataFrame:
    """A frame with Arrow-backed text columns (a third of the memory of Python strings)."""
    return table_to_frame(pq.read_table(io.BytesIO(data)))


def table_to_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as leanetl's frames hold it: text Arrow-backed, dictionaries decoded."""
    arrow_text = pd.StringDtype("pyarrow")
    mapping = {pa.string(): arrow_text, pa.large_string(): arrow_text}
    for i, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type) and pa.types.is_string(field.type.value_type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.string()))
    return table.to_pandas(types_mapper=mapping.get)


def read_parquet_table(data: bytes, dictionary_columns: Sequence[str] = ()) -> pa.Table:
    """An Arrow table; ``dictionary_columns`` (text that repeats: names, companies) are read
    dictionary-encoded, each distinct value stored once (a tenth of the memory at 10M rows)."""
    source = io.BytesIO(data)
    present = set(pq.ParquetFile(source).schema_arrow.names)
    source.seek(0)
    wanted = [c for c in dictionary_columns if c in present]
    return pq.read_table(source, read_dictionary=wanted or None)
