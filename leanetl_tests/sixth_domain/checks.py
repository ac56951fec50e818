"""The deliveries domain's check, a pure function (no Dagster)."""

import pandas as pd

from leanetl.lib.outcomes import Outcomes


def parcels_counted(parcels: pd.DataFrame) -> Outcomes:
    """Every row delivered a whole, positive number of parcels."""
    bad = parcels[~(parcels["parcels"] > 0)]
    return {"parcels_counted": (bad.empty, {"rows": len(parcels), "bad_rows": len(bad)})}
