"""The campaign stats of every day up to one, read back from the lake for the dashboard."""

import pandas as pd

from leanetl.lib.parquet import read_parquet_bytes
from leanetl.lib.stores import Objects


def reach_history(lake: Objects, stats_prefix: str, last_day: str) -> pd.DataFrame:
    """Each day's campaign-level stats (``<stats_prefix>/dt=<day>/…``) up to ``last_day``:
    one row per campaign and day with its name, reach and spend."""
    frames = []
    for key in sorted(lake.list_keys(stats_prefix + "/dt=")):
        day = key.split("dt=")[1].split("/")[0]
        if day > last_day:
            continue
        stats = read_parquet_bytes(lake.get_bytes(key))
        top = stats[stats["level"] == "campaign"]
        frames.append(top[["campaign_name", "reach", "spend"]].assign(day=day))
    return (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["campaign_name", "reach", "spend", "day"])
    )
