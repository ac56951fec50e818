"""Metadata every domain records on its materialisations."""

import dagster as dg
import pandas as pd


def preview(frame: pd.DataFrame, rows: int = 5) -> dg.MetadataValue:
    """The first rows as a markdown table (``_empty_`` for none)."""
    return dg.MetadataValue.md(
        frame.head(rows).to_markdown(index=False) if len(frame) else "_empty_"
    )


def window(instants: pd.Series) -> str:
    """'2025-01-02 10:00 to 2025-03-04 09:00 UTC' or 'no rows'."""
    if instants.dropna().empty:
        return "no rows"
    return f"{instants.min():%Y-%m-%d %H:%M} to {instants.max():%Y-%m-%d %H:%M} UTC"
