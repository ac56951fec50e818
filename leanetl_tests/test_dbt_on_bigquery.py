"""Every dbt model built for real on BigQuery (the bqemulator, over HTTP, through dbt-bigquery and
the google-cloud-bigquery client) equals the same build on DuckDB, table by table: the volunteers
models over two days and a two-day range, the Chatfuel models over four pull days."""

import datetime as dt
import json
import math
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from leanetl.clients import bigquery as bq
from leanetl.defs.partitions import as_of_vars
from leanetl.io_managers.warehouse import Warehouse
from leanetl_tests import dbt_cli
from leanetl_tests.chatfuel import test_chatfuel_dbt as chatfuel
from leanetl_tests.fakes.google_auth import service_account_info, token_endpoint
from leanetl_tests.fakes.http import FakeServer
from leanetl_tests.volunteers.dbt_runner import source_frame
from leanetl_tests.volunteers.test_flake_rate_dbt import SOURCE

pytestmark = pytest.mark.slow
VOLUNTEERS = "staging.volunteers intermediate.volunteers marts.volunteers"
SIGNUP_VARS = {
    "volunteers_signups_schema": "volunteers",
    "volunteers_signups_table": "event_signups",
}


class Targets:
    """The same project built on DuckDB (``home``) and on the emulator (``suffix`` datasets)."""

    def __init__(self, home: Path, emulator: str, keyfile: Path) -> None:
        self.home, self.suffix = home, f"_emu{uuid.uuid4().hex[:6]}"
        self.duckdb = Warehouse(backend="duckdb", duckdb_path=str(home / "warehouse.duckdb"))
        self.bigquery = Warehouse(
            backend="bigquery",
            bq_project="test",
            dataset_suffix=self.suffix,
            bq_emulator_host=emulator,
        )
        self.env = {
            "LEANETL_HOME": str(home),
            bq.EMULATOR_HOST: emulator,
            "GOOGLE_APPLICATION_CREDENTIALS": str(keyfile),
            "LEANETL_BQ_PROJECT": "test",
        }

    def load(self, domain: str, table: str, frame: pd.DataFrame, day: dt.date | None) -> None:
        for warehouse in (self.duckdb, self.bigquery):
            if day is None:
                warehouse.replace_table(domain, table, frame)
            else:
                warehouse.replace_partitions(domain, table, frame, "dt", [day])

    def build(self, select: str, days: list[dt.date], timezone: str, **extra_vars: Any) -> None:
        for target, suffix in (("duckdb", ""), ("bigquery", self.suffix)):
            dbt_vars = {**as_of_vars(days, timezone), **extra_vars}
            if target == "bigquery":
                dbt_vars["volunteers_signups_schema"] = f"volunteers{self.suffix}"
            result = dbt_cli.run_dbt(
                "build", target, dbt_vars, self.home / target, "--select", select,
                env={**self.env, "LEANETL_DATASET_SUFFIX": suffix},
            )  # fmt: skip
            assert result.returncode == 0, f"{target}:\n{result.stdout[-4000:]}"

    def tables(self, domain: str) -> list[str]:
        with self.duckdb.duckdb_connection() as conn:
            rows = conn.execute(
                "select table_name from information_schema.tables where table_schema = ?",
                [domain],
            ).fetchall()
        return sorted(name for (name,) in rows)

    def same(self, domain: str, table: str) -> int:
        """Assert the table is equal on both targets; returns its row count."""
        local = _canonical(
            self.duckdb.query(f"select * from {self.duckdb.table_ref(domain, table)}")
        )
        remote = _canonical(
            self.bigquery.query(f"select * from {self.bigquery.table_ref(domain, table)}")
        )
        assert remote == local, f"{domain}.{table}: BigQuery and DuckDB differ"
        return len(local) - 1  # the header


def _value(value: Any) -> Any:
    if (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    ):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is None and stamp == stamp.normalize():
            return stamp.date().isoformat()  # DuckDB's DATE comes back as a midnight timestamp
        return (stamp.tz_convert("UTC") if stamp.tzinfo else stamp).strftime("%Y-%m-%dT%H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 9)
    if hasattr(value, "item"):
        return _value(value.item())
    if isinstance(value, list | tuple) or hasattr(value, "tolist"):
        return json.dumps([_value(v) for v in list(value)])
    return value


def _canonical(frame: pd.DataFrame) -> list[tuple]:
    """Rows as sorted tuples of plain values, columns by name (engines type them differently)."""
    columns = sorted(frame.columns)
    rows = [
        tuple(_value(v) for v in row)
        for row in frame[columns].astype(object).itertuples(index=False)
    ]
    return [tuple(columns), *sorted(rows, key=repr)]


@pytest.fixture(scope="module")
def targets(bigquery_emulator: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Targets]:
    home = tmp_path_factory.mktemp("dbt_bigquery")
    with FakeServer(token_endpoint) as oauth:
        keyfile = home / "sa.json"
        keyfile.write_text(json.dumps(service_account_info(f"{oauth.url}/token", "test")))
        yield Targets(home, bigquery_emulator, keyfile)


def test_volunteers_models_equal_on_bigquery_and_duckdb(targets: Targets) -> None:
    targets.load("volunteers", "event_signups", source_frame(SOURCE), None)
    march = [dt.date(2025, 3, 13), dt.date(2025, 3, 14)]
    for day in march:
        targets.build(VOLUNTEERS, [day], "America/Chicago", **SIGNUP_VARS)
    targets.build(VOLUNTEERS, march, "America/Chicago", **SIGNUP_VARS)  # a range, replacing both
    tables = targets.tables("volunteers")
    assert {"flake_rate_weekly", "flake_rate_outlook", "flake_rate_weekly_by_organizer"} <= set(
        tables
    )
    counts = {table: targets.same("volunteers", table) for table in tables}
    assert counts["flake_rate_weekly"] > 10


def test_chatfuel_models_equal_on_bigquery_and_duckdb(targets: Targets) -> None:
    for day in (chatfuel.D1, chatfuel.D2, chatfuel.D3, chatfuel.D4):
        for table, frame in chatfuel._raw(day).items():
            targets.load("chatfuel", table, chatfuel._stamp(frame, day), day)
        targets.build(chatfuel.SELECT, [day], "UTC")
    tables = [t for t in targets.tables("chatfuel") if t not in chatfuel._raw(chatfuel.D1)]
    assert len(tables) >= 10
    counts = {table: targets.same("chatfuel", table) for table in tables}
    assert counts["users_daily"] == 4
