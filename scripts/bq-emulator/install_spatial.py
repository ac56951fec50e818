"""Install the spatial extension from its wheel into DuckDB's extension folder (the emulator
loads it at start, and DuckDB would otherwise download it)."""

from pathlib import Path

import duckdb
import duckdb_extension_spatial

found = sorted(Path(duckdb_extension_spatial.__file__).parent.rglob("spatial.duckdb_extension"))
if not found:
    raise SystemExit("duckdb-extension-spatial: no spatial.duckdb_extension in the wheel")
duckdb.sql(f"INSTALL '{found[-1]}'")
duckdb.sql("LOAD spatial")
print(f"spatial extension installed from {found[-1]}")
