"""The web events transform's checks, as outcomes: ``{check: (passed, metadata)}``."""

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from leanetl.lib.outcomes import Outcomes
from leanetl.lib.quarantine import quarantined_share
from leanetl.lib.web_events.objects import ObjectResult
from leanetl.lib.web_events.tables import CALL_TABLES


def transform_checks(
    results: Sequence[ObjectResult], day: dt.date, lookback_days: int, max_share: float
) -> Outcomes:
    """Records reconcile with rows + dead letters; the dead-lettered share; plausible times."""
    records = sum(r.records for r in results)
    rows = sum(r.rows(t) for r in results for t in CALL_TABLES)
    letters = sum(len(r.dead_letters) for r in results)
    share = quarantined_share(letters, records)
    earliest = pd.Timestamp(day - dt.timedelta(days=lookback_days), tz="UTC")
    latest = pd.Timestamp(day + dt.timedelta(days=1), tz="UTC")
    early = late = 0
    for result in results:
        for table in CALL_TABLES:
            found = result.tables.get(table)
            if found is not None and found.num_rows:
                stamps = found.column("timestamp").to_pandas()
                early += int((stamps < earliest).sum())
                late += int((stamps >= latest).sum())
    return {
        "records_reconcile": (
            rows + letters == records,
            {"records": records, "rows": rows, "dead_letters": letters},
        ),
        "dead_letters_below_limit": (
            letters == 0 or share < max_share,
            {"dead_letters": letters, "share": share, "limit": max_share},
        ),
        "timestamps_plausible": (
            early == 0 and late == 0,
            {"older_than_lookback": early, "after_arrival_day": late},
        ),
    }


def message_id_unique(checked: dict[str, int], repeated: dict[str, int], local: bool) -> Outcomes:
    """No message_id is kept twice by the day's DuckDB views (``repeated`` per table of the
    ``checked`` rows); without local views there is nothing to check here (it passes, and says
    so)."""
    return {
        "message_id_unique": (
            not any(repeated.values()),
            {
                "repeated": {t: n for t, n in repeated.items() if n},
                "rows_checked": checked,
                "checked": "duckdb views" if local else "not checked: no local views",
            },
        )
    }
