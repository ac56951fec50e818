import datetime as dt

from leanetl.lib.volunteers.signups import load_signup_files
from leanetl.sample.volunteers import ensure_sample_files, generate_signups

VAN_STATUSES = {
    "Scheduled",
    "Confirmed",
    "Completed",
    "No Show",
    "Cancelled",
    "Declined",
    "Left Msg",
    "Walk In",
    "Sched-Web",
    "Invited",
}


def test_sample_is_deterministic_and_realistic(tmp_path) -> None:
    today = dt.date(2025, 3, 14)
    rows = generate_signups(today)
    assert rows == generate_signups(today)
    assert {r["status"] for r in rows} == VAN_STATUSES
    assert len({r["event_location_id"] for r in rows}) == 6
    assert len({r["organizer"] for r in rows}) >= 4
    weeks = {dt.date.fromisoformat(r["event_date"]).isocalendar()[1] for r in rows}
    assert len(weeks) >= 10
    cutoff = "2025-03-15T06:00:00Z"  # nothing is recorded after the end of `today` (CDT)
    assert max(r["status_changed_at"] for r in rows) < cutoff


def test_ensure_writes_once_and_parses_cleanly(tmp_path) -> None:
    files = ensure_sample_files(tmp_path, dt.date(2025, 3, 14), "America/Chicago")
    first = files[0].read_bytes()
    assert ensure_sample_files(tmp_path, dt.date(2025, 4, 1), "America/Chicago") == files
    assert files[0].read_bytes() == first
    load = load_signup_files(files)
    assert load.quarantine.empty and len(load.rows) > 1000
