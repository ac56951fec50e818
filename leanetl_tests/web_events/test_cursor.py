"""The new-objects cursor: same-second objects, late prefixes, restarts."""

import datetime as dt
from dataclasses import dataclass

from leanetl.lib.web_events.cursor import Cursor, days_to_list, keys_by_day, take_new

T = dt.datetime(2025, 3, 14, 10, 0, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Obj:
    key: str
    modified: dt.datetime


def test_two_objects_in_the_same_second_are_both_taken_once() -> None:
    a, b = Obj("2025/03/14/10/a", T), Obj("2025/03/14/10/b", T)
    new, cursor = take_new(Cursor(), [a])
    assert new == [a] and cursor.keys_at_newest == {a.key}
    # b lands in the same second but is only listed by the next tick.
    new, cursor = take_new(Cursor.from_text(cursor.to_text()), [a, b])
    assert new == [b] and cursor.keys_at_newest == {a.key, b.key}
    new, again = take_new(cursor, [a, b])
    assert new == [] and again == cursor


def test_a_late_object_under_an_earlier_prefix_is_taken_and_grouped_by_its_day() -> None:
    seen = Obj("2025/03/14/10/a", T)
    late = Obj("2025/03/13/23/late", T + dt.timedelta(minutes=3))
    _, cursor = take_new(Cursor(), [seen])
    new, cursor = take_new(cursor, [late, seen])
    assert new == [late] and cursor.newest == late.modified
    assert keys_by_day(new) == {dt.date(2025, 3, 13): [late.key]}
    days = days_to_list(cursor, dt.date(2025, 3, 15), lookback_days=2, first=dt.date(2025, 1, 1))
    assert days[0] == dt.date(2025, 3, 12) and days[-1] == dt.date(2025, 3, 15)


def test_an_older_unseen_object_at_an_earlier_instant_is_not_taken_again_after_restart() -> None:
    old = Obj("2025/03/14/09/old", T - dt.timedelta(hours=1))
    _, cursor = take_new(Cursor(), [old, Obj("2025/03/14/10/a", T)])
    restarted = Cursor.from_text(cursor.to_text())
    assert take_new(restarted, [old])[0] == []
    assert Cursor.from_text(None) == Cursor() and Cursor.from_text("") == Cursor()
