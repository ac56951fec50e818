"""A deterministic Chatfuel contacts export for a small nonprofit media bot (the local source).

2,500 subscribers and 1,700 attributes (topics, quiz answers, weekly newsletter opens, last
clicks, engagement, opinion), ~26 non-empty a row, a few changing every week; Chatfuel's own
header spellings; 6 % blocked, 3 % more blocked for one week. The mess is on purpose: a value
with a comma and quotes, one with a newline, a header with a comma, a column with a blank
header, and one ragged line (a test contact cut short). Same day, same bytes.
"""

import csv
import datetime as dt
import io
import random
from pathlib import Path

USERS = 2_500
ATTRIBUTES = 1_700
SYSTEM_HEADERS = ["chatfuel user id", "first name", "last name", "signed up", "last seen", "status"]
_PREFIXES = ("topic", "quiz_answer", "newsletter_opened", "last_clicked", "poll", "region_pref")
_FIRST = ("Ana", "Ben", "Chen", "Dee", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jun", "Kemi")
_LAST = ("Okafor", "Smith", "García", "Nguyen", "Kowalski", "Haddad", "Ito", "Mbeki", "Rossi")
_START = dt.date(2025, 1, 1)


def attribute_names() -> list[str]:
    names = [
        f"{_PREFIXES[i % len(_PREFIXES)]}_{i // len(_PREFIXES):03d}" for i in range(ATTRIBUTES)
    ]
    names[1] = "city, state"  # a header that needs quotes
    names[2] = ""  # a blank header: its cells are counted, not loaded
    names[3] = "Lieblingsthema"
    names[4] = "engagement"  # the buckets the models count (dbt vars chatfuel_engagement_*)
    names[5] = "Opinion"  # (chatfuel_opinion_*), spelled as a person typed it
    return names


_ENGAGEMENT = ("lead", "lead", "hot lead", "Hot Lead", "advocate", "hero", "")
_OPINION = ("support", "Support ", "on the fence", "oppose", "undecided", "")


def user_row(user: int, day: dt.date, names: list[str]) -> list[str]:
    stable = random.Random(user)
    weekly = random.Random(f"{user}-{day.isocalendar()[:2]}")
    cells = [""] * len(names)
    for column in stable.sample(range(len(names)), 20):
        cells[column] = stable.choice(
            ("yes", "no", "climate", "housing", str(stable.randrange(99)))
        )
    for column in weekly.sample(range(len(names)), 4):
        cells[column] = weekly.choice(("opened", "clicked", "1", "0", "true"))
    signed_up = _START + dt.timedelta(days=stable.randrange(300), seconds=stable.randrange(86_400))
    seen = day - dt.timedelta(days=weekly.randrange(30))
    # 6 % blocked for good, and each week 3 % more blocked that week only (they come back).
    status = "blocked" if stable.random() < 0.06 or weekly.random() < 0.03 else "reachable"
    # Engagement moves week by week; opinion is one a user keeps, changed now and then.
    cells[4] = weekly.choice(_ENGAGEMENT)
    cells[5] = (weekly if weekly.random() < 0.1 else stable).choice(_OPINION)
    system = [
        str(1_000_000_000 + user),
        stable.choice(_FIRST),
        stable.choice(_LAST),
        f"{signed_up.isoformat()}T{stable.randrange(24):02d}:00:00Z",
        f"{seen.isoformat()} 12:00:00",
        status,
    ]
    return system + cells


def sample_row(user: int, day: dt.date, names: list[str]) -> list[str]:
    """One subscriber's system fields then attribute cells (the API's sample bot has the same)."""
    row = user_row(user, day, names)
    if user == 7:
        row[6 + 1] = 'Austin, TX "ATX"'  # comma and quotes
        row[6 + 3] = "climate\nhousing"  # a newline in a value
    return row


def export_bytes(day: dt.date) -> bytes:
    names = attribute_names()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SYSTEM_HEADERS + names)
    for user in range(USERS):
        writer.writerow(sample_row(user, day, names))
        if user == 11:
            # A line cut short after its third field (an operator's test contact, not one of
            # the bot's subscribers): ragged, quarantined with its line number.
            writer.writerow(["1000099999", "Test", "Contact"])
    return out.getvalue().encode()


def ensure_sample_export(directory: Path, day: dt.date) -> Path:
    """``users_export-<day>.csv`` in ``directory`` (written when missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"users_export-{day.isoformat()}.csv"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(export_bytes(day))
        tmp.replace(path)
    return path
