"""One quarantine schema for every source of every domain.

A record that cannot be used is kept, not dropped, as one row of four text columns:

- ``source``: where it was read (a file path or URI, ``Google Sheet 'Leads' / 'Sheet1'``,
  ``mongodb campaigns.campaigns``, ``graph api insights``);
- ``locator``: how to find it there: ``line 12`` (files: the file's line number, counted from 1
  with the header), ``row 14`` (sheets and their exports: the row number a person sees),
  ``_id cmp-009`` (documents), ``campaign 120… day 2025-01-02 region Ontario`` (API rows);
- ``reason``: what is wrong, naming the field(s);
- ``raw``: the record as it was read (the CSV line's fields joined by commas, or JSON).
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from leanetl.lib.outcomes import Outcomes

QUARANTINE_COLUMNS = ("source", "locator", "reason", "raw")


def empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in QUARANTINE_COLUMNS})


def quarantine_frame(
    source: str | Sequence[str],
    locators: Sequence[str],
    reasons: Sequence[str],
    raws: Sequence[str],
) -> pd.DataFrame:
    """Quarantine rows in the one schema (``source`` one value for all rows, or one per row)."""
    if not len(locators):
        return empty_quarantine()
    frame = pd.DataFrame(
        {
            "source": [source] * len(locators) if isinstance(source, str) else list(source),
            "locator": list(locators),
            "reason": list(reasons),
            "raw": list(raws),
        }
    )
    return frame.astype("string")


def raw_json(record: Mapping[str, Any]) -> str:
    """A record as JSON text (keys sorted; dates and ids as text), at most 2,000 characters."""
    return json.dumps(dict(record), sort_keys=True, default=str, ensure_ascii=False)[:2000]


def combine(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Several quarantines as one (the empty schema when there are none)."""
    present = [f for f in frames if len(f)]
    return pd.concat(present, ignore_index=True) if present else empty_quarantine()


def reason_counts(quarantine: pd.DataFrame, limit: int = 20) -> dict[str, int]:
    """How many rows per reason, the commonest first (at most ``limit`` reasons)."""
    counts = quarantine["reason"].value_counts().head(limit)
    return {str(reason): int(n) for reason, n in counts.items()}


def quarantined_share(quarantined: int, read: int) -> float:
    """Quarantined records as a share of the records read (0 when nothing was read)."""
    return quarantined / read if read else 0.0


def below_limit(
    check: str, quarantined: int, records: int, parts: Mapping[str, tuple[int, int]], limit: float
) -> Outcomes:
    """Whether the quarantined share of the records read is below ``limit`` (or none was), over
    all and in every part (``part -> (records, quarantined)``: one bad file cannot hide among
    many good ones); the worst part is named."""
    share = quarantined_share(quarantined, records)
    part_shares = {p: quarantined_share(q, n) for p, (n, q) in parts.items()}
    worst = max(part_shares, key=part_shares.__getitem__, default="")
    passed = all(s == 0 or s < limit for s in [share, *part_shares.values()])
    return {
        check: (
            passed,
            {
                "quarantined_rows": quarantined,
                "quarantined_share": share,
                "limit": limit,
                "worst_part": worst or "none",
                "worst_part_share": part_shares.get(worst, 0.0),
            },
        )
    }
