"""A deterministic local sample of what Kinesis Firehose lands for a small social web app.

Per UTC day: 6 objects (hours 02, 06, 10, 14, 18, 22) of Segment calls — visitors' page views,
sign-ups (identify + ``User Registered``), ``Post Created``, ``Followed User``,
``Unfollowed User``, ``Profile Updated`` — written newline-separated (Segment's destination),
back to back (Firehose's default) or both, every third object GZIP-compressed. Firehose delivers
at least once: each day repeats 2 records of its first object in its last one. Each day written
together with the newest of a call also holds one malformed record between good ones and one
corrupt GZIP object (a day at a time, as the local run writes them: every day).
"""

import datetime as dt
import gzip
import random
import uuid
from collections.abc import Iterator
from typing import Any

import orjson

from leanetl.io_managers.object_store import ObjectStore

STREAM = "leanetl-web-events-1"
HOURS = (2, 6, 10, 14, 18, 22)
USERS = 40
PAGES = ("/", "/feed", "/explore", "/settings", "/about", "/signup")


def object_key(day: dt.date, hour: int, rng: random.Random) -> str:
    stamp = dt.datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60))
    name = f"{STREAM}-{stamp:%Y-%m-%d-%H-%M-%S}-{uuid.UUID(int=rng.getrandbits(128))}"
    return f"{stamp:%Y/%m/%d/%H}/{name}"


def _call(kind: str, user: int, at: dt.datetime, rng: random.Random, **fields: Any) -> dict:
    sent = at + dt.timedelta(milliseconds=rng.randrange(50, 400))
    return {
        "type": kind,
        "messageId": f"ajs-{uuid.UUID(int=rng.getrandbits(128)).hex}",
        "anonymousId": f"anon-{user:04d}",
        "userId": f"user-{user:04d}",
        "timestamp": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "originalTimestamp": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "sentAt": sent.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "receivedAt": (sent + dt.timedelta(milliseconds=30))
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "context": {
            "library": {"name": "analytics.js", "version": "4.1.0"},
            "page": {"path": rng.choice(PAGES)},
            "userAgent": "Mozilla/5.0 (X11; Linux x86_64)",
        },
        **fields,
    }


def calls_before(day: dt.date, hour: int, rng: random.Random) -> Iterator[dict]:
    """The calls of the 4 hours before ``hour`` UTC on ``day`` (30 to 60 visits)."""
    for _ in range(rng.randrange(30, 60)):
        # Firehose names an object by its arrival: its events happened in the 4 hours before.
        at = dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC) - dt.timedelta(
            seconds=rng.randrange(1, 4 * 3600)
        )
        user = rng.randrange(USERS)
        roll = rng.random()
        if roll < 0.45:
            path = rng.choice(PAGES)
            yield _call(
                "page",
                user,
                at,
                rng,
                name=path.strip("/") or "home",
                properties={"path": path, "title": f"Page {path}"},
            )
        elif roll < 0.55:
            yield _call(
                "identify",
                user,
                at,
                rng,
                traits={
                    "name": f"User {user}",
                    "email": f"user{user}@example.org",
                    "plan": rng.choice(["free", "pro"]),
                },
            )
            yield _call(
                "track",
                user,
                at,
                rng,
                event="User Registered",
                properties={
                    "plan": rng.choice(["free", "pro"]),
                    "referrer": rng.choice(["search", "friend", ""]),
                },
            )
        elif roll < 0.75:
            yield _call(
                "track",
                user,
                at,
                rng,
                event="Post Created",
                properties={
                    "postId": f"p-{rng.getrandbits(32):08x}",
                    "characters": rng.randrange(1, 500),
                    "hasImage": rng.random() < 0.3,
                },
            )
        elif roll < 0.88:
            yield _call(
                "track",
                user,
                at,
                rng,
                event="Followed User",
                properties={"followedUserId": f"user-{rng.randrange(USERS):04d}"},
            )
        elif roll < 0.94:
            yield _call(
                "track",
                user,
                at,
                rng,
                event="Unfollowed User",
                properties={"unfollowedUserId": f"user-{rng.randrange(USERS):04d}"},
            )
        else:
            yield _call(
                "track",
                user,
                at,
                rng,
                event="Profile Updated",
                properties={
                    "fields": ["bio", "avatar"][: rng.randrange(1, 3)],
                    "bio": 'says "hi" {and} }{ braces',
                },
            )


def encode(calls: list[dict], form: str, rng: random.Random) -> bytes:
    """Records newline-separated, back to back, or a mix of both."""
    parts = [orjson.dumps(c) for c in calls]
    if form == "newline":
        return b"".join(p + b"\n" for p in parts)
    if form == "concatenated":
        return b"".join(parts)
    return b"".join(p + (b"\n" if rng.random() < 0.5 else b"") for p in parts)


def day_objects(day: dt.date, newest: bool) -> dict[str, bytes]:
    """The objects Firehose would have landed on ``day`` (deterministic)."""
    rng = random.Random(f"web-events-{day.isoformat()}")
    objects: dict[str, bytes] = {}
    first: list[dict] = []
    for n, hour in enumerate(HOURS):
        calls = list(calls_before(day, hour, rng))
        if n == 0:
            first = calls
        if n == len(HOURS) - 1:
            calls += first[:2]  # delivered twice (at least once)
        data = encode(calls, ("newline", "concatenated", "mixed")[n % 3], rng)
        if newest and n == 2:
            half = data.find(b"\n", len(data) // 2) + 1 or len(data)
            data = (
                data[:half]
                + b'{"type": "track", "event": "Broken", "properties": {oops}\n'
                + data[half:]
            )
        objects[object_key(day, hour, rng)] = gzip.compress(data, mtime=0) if n % 3 == 1 else data
    if newest:
        objects[object_key(day, 23, rng)] = b"\x1f\x8b\x08\x00" + b"not really gzip" * 4
    return objects


def ensure_sample_objects(raw: ObjectStore, days: list[dt.date]) -> int:
    """Write the sample objects of each of ``days`` that has none yet; how many were written."""
    written = 0
    newest = max(days, default=None)
    for day in days:
        if any(True for _ in raw.list_keys(f"{day:%Y/%m/%d}/")):
            continue
        for key, data in day_objects(day, newest=day == newest).items():
            raw.put_bytes(key, data)
            written += 1
    return written
