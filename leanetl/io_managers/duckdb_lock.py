"""The DuckDB file takes one writer at a time: a writer (a Python step or dbt) waits while another
run holds it."""

import time
from pathlib import Path

import duckdb

# How long a DuckDB writer (a Python step or dbt) waits while another run holds the file: a
# whole dbt build of another run may stand between.
LOCK_WAIT_SECONDS = 600.0


def held_by_another(error: BaseException | str) -> bool:
    """Whether DuckDB refused to open its file because another process holds its lock."""
    text = str(error).lower()
    return "could not set lock" in text or "conflicting lock" in text


def connect_when_free(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection to the DuckDB file at ``path``, waiting while another process holds its lock
    (up to ``LOCK_WAIT_SECONDS``)."""
    # The file's folder may not exist yet when no local source has created $LEANETL_HOME.
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as exc:
            if not held_by_another(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.5)
