"""Deterministic VAN event sign-up status history for the local environment.

A state party's field team: six regional offices, their organizers, canvasses and phone banks
every week, and each sign-up's status changing over time (Invited, Left Msg, Scheduled, Sched-Web,
Confirmed, then Completed, No Show, Cancelled, Declined or Walk In). Same arguments, same rows.
"""

import csv
import datetime as dt
import random
from pathlib import Path
from zoneinfo import ZoneInfo

from leanetl.lib.volunteers.signups import REQUIRED_COLUMNS

LOCATIONS = [
    (101, "Minneapolis Field Office"),
    (102, "St. Paul Field Office"),
    (103, "Duluth Field Office"),
    (104, "Rochester Field Office"),
    (105, "St. Cloud Field Office"),
    (106, "Mankato Field Office"),
]
ORGANIZERS = ["Ana Ruiz", "Ben Okafor", "Chloe Nguyen", "Dev Patel", "Erin Walsh", "Farah Ali"]
SAMPLE_FILE = "event_signups_sample.csv"


def _at(day: dt.date, hour: int, minute: int, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tz).astimezone(dt.UTC)


def generate_signups(
    today: dt.date,
    timezone: str = "America/Chicago",
    weeks_back: int = 10,
    weeks_ahead: int = 3,
    seed: int = 2024,
    scale: int = 1,
) -> list[dict[str, str]]:
    """Status-change rows up to the end of ``today``; ``scale`` multiplies the events per week."""
    rng = random.Random(seed)
    tz = ZoneInfo(timezone)
    now = _at(today + dt.timedelta(days=1), 0, 0, tz)
    first = today - dt.timedelta(weeks=weeks_back)
    rows: list[dict[str, str]] = []
    signup_id = 500_000
    event_id = 90_000
    for offset in range((weeks_back + weeks_ahead) * 7):
        day = first + dt.timedelta(days=offset)
        for location_id, location_name in LOCATIONS:
            # Weekend canvasses are big, weekday phone banks small, some days nothing.
            events_today = (2 if day.weekday() >= 5 else rng.choice([0, 0, 1])) * scale
            for _ in range(events_today):
                event_id += 1
                organizer = ORGANIZERS[(location_id + rng.randrange(2)) % len(ORGANIZERS)]
                for _ in range(rng.randint(4, 14)):
                    signup_id += 1
                    history = _history(rng, day, tz)
                    van_id = rng.randrange(100_000_000, 100_999_999)
                    for status, when in history:
                        if when >= now:
                            break
                        rows.append(
                            {
                                "event_signup_id": str(signup_id),
                                "event_id": str(event_id),
                                "event_date": day.isoformat(),
                                "event_location_id": str(location_id),
                                "event_location_name": location_name,
                                "organizer": organizer,
                                "van_id": str(van_id),
                                "status": status,
                                "status_changed_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                            }
                        )
    return rows


def _history(rng: random.Random, event_day: dt.date, tz: ZoneInfo) -> list[tuple[str, dt.datetime]]:
    """One sign-up's status changes, in time order."""
    created = event_day - dt.timedelta(days=rng.randint(2, 20))
    start = _at(created, rng.randint(9, 20), rng.randrange(60), tz)
    if rng.random() < 0.05:  # walked in on the day: one row
        return [("Walk In", _at(event_day, rng.randint(9, 15), rng.randrange(60), tz))]
    first = rng.choices(["Scheduled", "Sched-Web", "Invited", "Left Msg"], [5, 3, 2, 1])[0]
    history = [(first, start)]
    if first in ("Invited", "Left Msg"):
        reply = start + dt.timedelta(days=rng.randint(1, 2), hours=rng.randint(0, 5))
        if rng.random() < 0.3:
            return [*history, ("Declined", reply)]
        history.append(("Scheduled", reply))
    if rng.random() < 0.6:
        history.append(
            ("Confirmed", _at(event_day - dt.timedelta(days=1), 18, rng.randrange(60), tz))
        )
    roll = rng.random()
    if roll < 0.12:
        cancelled_day = event_day - dt.timedelta(days=rng.randint(0, 1))
        history.append(("Cancelled", _at(cancelled_day, 7, rng.randrange(60), tz)))
    else:
        outcome = "No Show" if roll < 0.27 else "Completed"
        # Organizers log outcomes the evening of the event or the next morning.
        logged = _at(event_day, 21, rng.randrange(60), tz) + dt.timedelta(hours=rng.choice([0, 12]))
        history.append((outcome, logged))
    return sorted(history, key=lambda item: item[1])


def write_sample_file(directory: Path, today: dt.date, timezone: str) -> Path:
    """Write the sample CSV (atomically) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / SAMPLE_FILE
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(REQUIRED_COLUMNS))
        writer.writeheader()
        writer.writerows(generate_signups(today, timezone))
    tmp.replace(path)
    return path


def ensure_sample_files(directory: Path, today: dt.date, timezone: str) -> list[Path]:
    """The sign-up files in ``directory``, writing the sample first when there are none."""
    files = sorted(directory.glob("event_signups*.csv"))
    if not files:
        files = [write_sample_file(directory, today, timezone)]
    return files
