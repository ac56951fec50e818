"""Odd exports: times that must not borrow an offset or the run's clock, out-of-range epochs,
and an export whose every row is quarantined, which must not replace the day's users with none."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from leanetl.lib.chatfuel.users import instants
from leanetl_tests.e2e.test_your_data import HEADER, chatfuel, export  # noqa: F401 - fixture

UTC = dt.UTC


def test_times_never_borrow_an_offset_or_the_runs_clock() -> None:
    values = pd.Series(
        [
            "2026-11-18T10:00:00+14:00",
            "2026-11-18 10:00",  # naive after an offset: UTC, not +14:00
            "now",
            "today",
            "9999999999",  # an epoch past pandas' range: unreadable, counted
            "0001-01-01T00:00:00+01:00",
            "2026-11-18",
            None,
        ]
    )
    parsed, unreadable = instants(values)
    assert parsed.tolist()[:2] == [
        pd.Timestamp("2026-11-17 20:00", tz=UTC),
        pd.Timestamp("2026-11-18 10:00", tz=UTC),
    ]
    assert parsed.isna().tolist()[2:6] == [True] * 4
    assert parsed.iloc[6] == pd.Timestamp("2026-11-18", tz=UTC)
    assert unreadable == 4


def test_an_export_whose_every_row_is_quarantined_replaces_nothing(chatfuel) -> None:  # noqa: F811
    _, source, _, run, sql = chatfuel
    (source / "users_export.csv").write_bytes(export(list(range(1, 101))))
    assert run(["2025-03-13"]).success
    # A header one column wider than every row: every row is quarantined.
    wide = HEADER.replace("\n", ",extra\n") + "".join(
        f"{i},U{i},,,,reachable,t\n" for i in range(1, 101)
    )
    (source / "users_export.csv").write_text(wide)
    result = run(["2025-03-14"])
    assert not result.success
    assert sql("select dt, count(*) from chatfuel.users group by 1") == [
        (dt.date(2025, 3, 13), 100)
    ]
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks["source_not_truncated"] is False


@pytest.mark.parametrize("cell", ["9999999999", "now"])
def test_an_odd_last_seen_is_counted_not_fatal(chatfuel, cell: str) -> None:  # noqa: F811
    _, source, _, run, sql = chatfuel
    rows = HEADER + f"1,Ann,,2025-01-02,{cell},reachable,t\n2,Ben,,,,reachable,t\n"
    (source / "users_export.csv").write_text(rows)
    result = run(["2025-03-14"])
    assert result.success
    assert sql("select user_id, last_seen from chatfuel.users order by 1") == [
        ("1", None),
        ("2", None),
    ]
    users = next(
        e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == "users"
    )
    assert users.materialization.metadata["unreadable_times"].value == 1


def test_repeated_broadcast_ids_are_refused_before_anything_is_written(
    leanetl_home, monkeypatch
) -> None:
    import dagster as dg
    import duckdb

    from leanetl.clients.chatfuel import ChatfuelClient
    from leanetl.definitions import build_defs
    from leanetl.settings import load_settings

    monkeypatch.setenv("LEANETL_SAMPLE_DATA", "on")  # the sample bot's flows, each twice
    real = ChatfuelClient.flows
    monkeypatch.setattr(ChatfuelClient, "flows", lambda self: real(self) * 2)
    settings = load_settings()
    keys = [
        dg.AssetKey(["chatfuel", n])
        for n in (
            "broadcasts",
            "broadcast_entries",
            "user_filters",
            "broadcast_recipients",
            "segments",
        )
    ]
    result = (
        build_defs(settings)
        .resolve_job_def("chatfuel_daily")
        .execute_in_process(
            partition_key="2026-11-12",
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
            asset_selection=keys,
        )
    )
    assert not result.success
    (check,) = result.get_asset_check_evaluations()
    assert check.check_name == "broadcast_ids_unique" and not check.passed
    assert not list(Path(settings.chatfuel.entries_url).rglob("*.json"))
    if settings.duckdb_path.exists():
        with duckdb.connect(str(settings.duckdb_path), read_only=True) as conn:
            tables = conn.execute("select table_name from information_schema.tables").fetchall()
            assert ("broadcasts",) not in tables


def test_user_ids_that_differ_only_in_spaces_are_one_user() -> None:
    import io

    from leanetl.lib.chatfuel.unpivot import unpivot_export

    data = (
        HEADER + "1,Ann,,,,reachable,a\n 1 ,Ann again,,,,reachable,b\n\u200b2\u00a0,Ben,,,,,c\n"
    ).encode()
    result = unpivot_export(io.BytesIO(data), "export.csv", lambda events: None)
    ids = [uid for table in result.users for uid in table.column("user_id").to_pylist()]
    assert ids == ["1", "2"]
    assert [(q[0], q[1]) for q in result.quarantine] == [("line 3", "user id '1' repeats line 2")]


def _unpivot(data: bytes, chunk_bytes: int = 64):
    import io

    from leanetl.lib.chatfuel.unpivot import unpivot_export

    events: list = []
    result = unpivot_export(io.BytesIO(data), "users_export.csv", events.append, chunk_bytes)
    return result, [row for table in events for row in table.to_pylist()]


@pytest.mark.parametrize("cell", ['"Ann"x', 'An"n"', '"A"n"n"', '"Ann" '])
def test_a_value_whose_quotes_do_not_enclose_it_refuses_its_row(cell: str) -> None:
    data = f'user id,name,city\nu1,{cell},Oslo\nu2,"Bo, ""B""",Rome\n'.encode()
    result, events = _unpivot(data)
    assert [(e["user_id"], e["value"]) for e in events] == [("u2", 'Bo, "B"'), ("u2", "Rome")]
    assert [(q[0], q[1]) for q in result.quarantine] == [
        ("line 2", "column 2: quotes that do not enclose the whole value (RFC 4180)")
    ]


@pytest.mark.parametrize("chunk_bytes", [64, 16 << 20])
def test_an_unclosed_quote_is_reported_on_the_line_it_opens(chunk_bytes: int) -> None:
    from leanetl.lib.sources import SourceSchemaError

    rows = "".join(f"u{i},x\n" for i in range(2, 51))
    data = f'user id,a\n{rows}u51,"open\nu52,y\n'.encode()
    with pytest.raises(SourceSchemaError, match=r"users_export\.csv: line 51: a quoted value"):
        _unpivot(data, chunk_bytes)
