"""Flake-rate models on real dbt + DuckDB, against expectations computed by hand.

Partition day: Friday 2025-03-14 in America/Chicago (CDT, UTC-5), so the day ends at
2025-03-15 05:00 UTC. Weeks run Saturday to Friday: the current week is 2025-03-08..14.
Each region exercises one edge case, so each expectation below can be checked on paper.
"""

import math
from pathlib import Path

import pandas as pd
import pytest

from leanetl_tests.volunteers.dbt_runner import load_source, run_dbt

AS_OF = "2025-03-14"


def row(signup, event_date, region, status, at, organizer="Ana", event=None):
    return (
        signup,
        event or signup * 10,
        event_date,
        region,
        f"Region {region}",
        organizer,
        900 + signup,
        status,
        at,
    )


SOURCE = [
    # Region 1: the Friday 23:59 / Saturday 00:00 local boundary.
    row(1, "2025-03-14", 1, "Scheduled", "2025-03-10T15:00:00Z"),
    row(1, "2025-03-14", 1, "No Show", "2025-03-14T23:59:00-05:00"),  # Fri 23:59 local: counts
    row(2, "2025-03-14", 1, "Scheduled", "2025-03-10T15:00:00Z"),
    row(2, "2025-03-14", 1, "Cancelled", "2025-03-15T00:00:00-05:00"),  # Sat 00:00 local: too late
    row(3, "2025-03-15", 1, "Scheduled", "2025-03-10T15:00:00Z"),  # a Saturday: next week, future
    row(4, "2025-03-08", 1, "Completed", "2025-03-08T20:00:00Z", organizer="Ben"),  # Sat: this week
    row(5, "2025-03-07", 1, "Completed", "2025-03-07T20:00:00Z", organizer="Ben"),  # Fri: last week
    # Region 2: history out of order, duplicate rows, a tie at the same instant.
    row(10, "2025-03-12", 2, "Completed", "2025-03-12T22:00:00Z"),
    row(10, "2025-03-12", 2, "Scheduled", "2025-03-05T12:00:00Z"),
    row(10, "2025-03-12", 2, "Confirmed", "2025-03-11T12:00:00Z"),
    row(11, "2025-03-12", 2, "Scheduled", "2025-03-05T12:00:00Z"),
    row(11, "2025-03-12", 2, "No Show", "2025-03-13T02:00:00Z"),
    row(11, "2025-03-12", 2, "No Show", "2025-03-13T02:00:00Z"),
    row(12, "2025-03-13", 2, "Confirmed", "2025-03-13T10:00:00Z"),
    row(12, "2025-03-13", 2, "Cancelled", "2025-03-13T10:00:00Z"),  # same instant: Cancelled wins
    # Region 3: changes after the partition day must not count.
    row(20, "2025-03-13", 3, "Scheduled", "2025-03-01T12:00:00Z"),
    row(20, "2025-03-13", 3, "No Show", "2025-03-16T12:00:00Z"),  # logged Sunday: unknown on Friday
    row(21, "2025-03-14", 3, "Scheduled", "2025-03-16T12:00:00Z"),  # signed up later: not counted
    # Region 4: a week with zero sign-ups, unknown and oddly written statuses.
    row(30, "2025-02-22", 4, "Completed", "2025-02-22T20:00:00Z"),
    row(31, "2025-03-10", 4, "Tentative", "2025-03-09T20:00:00Z"),
    row(32, "2025-03-10", 4, "  no show ", "2025-03-10T23:00:00Z"),
    row(33, "2025-03-11", 4, "Conf Twice", "2025-03-09T20:00:00Z"),
]

# (region, week_start) -> (current_week, no_show, cancelled, completed, total_signups)
EXPECTED_WEEKLY = {
    (1, "2025-03-01"): (False, 0, 0, 1, 1),
    (1, "2025-03-08"): (True, 1, 0, 1, 3),
    (2, "2025-03-08"): (True, 1, 1, 1, 3),
    (3, "2025-03-08"): (True, 0, 0, 0, 1),
    (4, "2025-02-22"): (False, 0, 0, 1, 1),
    (4, "2025-03-01"): (False, 0, 0, 0, 0),
    (4, "2025-03-08"): (True, 1, 0, 0, 3),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, object]:
    home = tmp_path_factory.mktemp("flake")
    warehouse = load_source(home, SOURCE)
    result = run_dbt(home, "build", AS_OF)
    assert result.returncode == 0, result.stdout[-4000:]
    return home, warehouse


def _frame(warehouse, table: str) -> pd.DataFrame:
    return warehouse.query(
        f'select * from "volunteers"."{table}" where as_of_date = date \'{AS_OF}\''
    )


def test_weekly_matches_hand_computed(built) -> None:
    _, warehouse = built
    weekly = _frame(warehouse, "flake_rate_weekly")
    got = {
        (r.event_location_id, str(r.week_start.date())): (
            bool(r.current_week),
            r.no_show,
            r.cancelled,
            r.completed,
            r.total_signups,
        )
        for r in weekly.itertuples()
    }
    assert got == EXPECTED_WEEKLY
    for r in weekly.itertuples():
        assert r.total_flakes == r.no_show + r.cancelled
        assert pd.Timestamp(r.week_start).dayofweek == 5  # Saturday
        assert (r.week_end - r.week_start).days == 6
        if r.total_signups == 0:
            assert r.flake_rate is None or math.isnan(r.flake_rate)
        else:
            assert r.flake_rate == pytest.approx(r.total_flakes / r.total_signups)


def test_last_status_is_point_in_time_and_deterministic(built) -> None:
    _, warehouse = built
    last = _frame(warehouse, "int_volunteers__signup_last_status").set_index("event_signup_id")
    assert last.loc[1, "status"] == "No Show"
    assert last.loc[2, "status"] == "Scheduled"
    assert last.loc[10, "status"] == "Completed"
    assert last.loc[12, "status"] == "Cancelled"
    assert last.loc[20, "status"] == "Scheduled"
    assert 21 not in last.index
    assert last.loc[31, "status_class"] == "other"
    assert last.loc[32, "status_class"] == "no_show"


def test_by_organizer_splits_region(built) -> None:
    _, warehouse = built
    frame = _frame(warehouse, "flake_rate_weekly_by_organizer")
    region1 = {
        (r.organizer, str(r.week_start.date())): (r.total_flakes, r.total_signups)
        for r in frame[frame.event_location_id == 1].itertuples()
    }
    assert region1 == {
        ("Ana", "2025-03-08"): (1, 2),
        ("Ben", "2025-03-01"): (0, 1),
        ("Ben", "2025-03-08"): (0, 1),
    }


def test_outlook_adds_future_weeks_with_scheduled(built) -> None:
    _, warehouse = built
    outlook = _frame(warehouse, "flake_rate_outlook")
    future = outlook[outlook.future_week]
    assert [
        (r.event_location_id, str(r.week_start.date()), r.scheduled, r.total_signups)
        for r in future.itertuples()
    ] == [(1, "2025-03-15", 1, 1)]
    past = outlook[~outlook.future_week]
    assert len(past) == len(EXPECTED_WEEKLY)
    current_region1 = past[(past.event_location_id == 1) & past.current_week].iloc[0]
    assert current_region1.scheduled == 1  # sign-up 2 is still Scheduled as of Friday


def test_rerunning_a_partition_replaces_it(built) -> None:
    home, warehouse = built
    before = _frame(warehouse, "flake_rate_weekly")
    assert run_dbt(home, "build", AS_OF).returncode == 0
    after = _frame(warehouse, "flake_rate_weekly")
    assert len(after) == len(before)
    counts = warehouse.query(
        'select as_of_date, count(*) n from "volunteers"."flake_rate_weekly" group by 1'
    )
    assert counts["n"].tolist() == [len(EXPECTED_WEEKLY)]


def test_reconciliation_test_fails_when_totals_disagree(built) -> None:
    home, warehouse = built
    with warehouse.duckdb_connection() as conn:
        conn.execute(
            "update volunteers.flake_rate_weekly set total_signups = total_signups + 1 "
            "where event_location_id = 2"
        )
    try:
        result = run_dbt(
            home, "test", AS_OF, "--select", "flake_rate_weekly,test_name:reconciles_with_signups"
        )
        assert result.returncode != 0
        assert "reconciles_with_signups" in result.stdout
    finally:
        assert run_dbt(home, "build", AS_OF).returncode == 0


def test_rates_are_double_precision_on_every_mart(built) -> None:
    _, warehouse = built
    types = warehouse.query(
        "select table_name, data_type from information_schema.columns "
        "where table_schema = 'volunteers' and column_name = 'flake_rate' order by 1"
    )
    assert types.values.tolist() == [
        ["flake_rate_outlook", "DOUBLE"],
        ["flake_rate_weekly", "DOUBLE"],
        ["flake_rate_weekly_by_organizer", "DOUBLE"],
    ]
    weekly = _frame(warehouse, "flake_rate_weekly").set_index(["event_location_id", "week_start"])
    # 1 flake of 3 sign-ups reads back as the double nearest 1/3, not a float32's 0.3333333432674408.
    assert weekly.loc[(1, pd.Timestamp("2025-03-08")), "flake_rate"] == 1 / 3
    assert weekly.loc[(2, pd.Timestamp("2025-03-08")), "flake_rate"] == 2 / 3


def test_future_weeks_have_no_flake_rate(built) -> None:
    _, warehouse = built
    outlook = _frame(warehouse, "flake_rate_outlook")
    future = outlook[outlook.future_week]
    assert len(future) == 1
    assert future["flake_rate"].isna().all()  # nothing has happened yet: null, not 0.0
    assert outlook[~outlook.future_week]["flake_rate"].notna().sum() == 6
