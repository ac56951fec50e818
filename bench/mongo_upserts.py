"""Upserts of expenditure-shaped documents into the embedded Mongo store (``make bench``).

``python -m bench.mongo_upserts batched|per-document DIR [N]`` prints one JSON line: the
upsert's counts and the time spent loading the snapshot, upserting and saving it.
"""

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

from leanetl.io_managers.mongo import MongoStore, upsert_documents

CAMPAIGNS_START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def expenditures(n: int, updated_at: dt.datetime | None = None) -> list[dict[str, Any]]:
    """``n`` daily Facebook Ads rows: 1,000 campaigns x as many days as needed."""
    stamp = updated_at or dt.datetime.now(dt.UTC)
    docs = []
    for i in range(n):
        campaign = f"{23850000000 + i % 1000}"
        day = CAMPAIGNS_START + dt.timedelta(days=i // 1000)
        impressions = 500 + (i * 7919) % 20000
        docs.append(
            {
                "_id": f"{campaign}:{day:%Y-%m-%d}:facebook_ads",
                "campaign_id": campaign,
                "day": day,
                "channel": "facebook_ads",
                "spend": round(impressions * 0.0042, 2),
                "impressions": impressions,
                "clicks": impressions // 50,
                "reach": impressions * 4 // 5,
                "currency": "USD",
                "updated_at": stamp,
            }
        )
    return docs


def run(mode: str, directory: str, n: int) -> dict[str, Any]:
    docs = expenditures(n)
    snapshot = Path(directory) / "campaigns.bson"
    before = snapshot.stat().st_mtime_ns if snapshot.exists() else None
    t0 = time.perf_counter()
    with MongoStore(embedded_dir=directory).session("campaigns") as db:
        t1 = time.perf_counter()
        stats = upsert_documents(
            db.expenditures, docs, batch_size=1000, one_call_per_document=mode == "per-document"
        )
        t2 = time.perf_counter()
    t3 = time.perf_counter()
    return {
        **vars(stats),
        "load_s": t1 - t0,
        "upsert_s": t2 - t1,
        "save_s": t3 - t2,
        "session_s": t3 - t0,
        "snapshot_written": snapshot.stat().st_mtime_ns != before,
        "snapshot_mib": snapshot.stat().st_size / 2**20,
    }


if __name__ == "__main__":
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
    print(json.dumps(run(sys.argv[1], sys.argv[2], size)))
