import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from leanetl.lib.calendar import day_end_utc, week_start_saturday


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_week_start_is_the_saturday_on_or_before(day: dt.date) -> None:
    start = week_start_saturday(day)
    assert start.weekday() == 5
    assert 0 <= (day - start).days <= 6


def test_day_end_follows_daylight_saving() -> None:
    assert day_end_utc(dt.date(2025, 3, 14), "America/Chicago") == dt.datetime(2025, 3, 15, 5)
    assert day_end_utc(dt.date(2025, 1, 10), "America/Chicago") == dt.datetime(2025, 1, 11, 6)
    # 2025-03-09 is 23 hours long in Chicago: it starts at 06:00 UTC and ends at 05:00 UTC.
    assert day_end_utc(dt.date(2025, 3, 9), "America/Chicago") == dt.datetime(2025, 3, 10, 5)
