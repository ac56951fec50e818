"""plotly HTML reports that open offline: plotly.js inlined, or one shared copy beside them."""

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

# One copy of plotly.js serves every dashboard (4.8 MB each when inlined).
PLOTLY_JS_NAME = f"plotly-{plotly.__version__}.min.js"


def plotly_js() -> bytes:
    """The plotly.js bundle that ships with the plotly package (no CDN: pages open offline)."""
    return get_plotlyjs().encode()


def html_page(
    title: str,
    subtitle: str,
    figures: Sequence[go.Figure],
    table: pd.DataFrame,
    plotly_src: str | None = None,
) -> str:
    """One HTML document: a heading, the figures, then the table.

    ``plotly_src``: the (relative) URL of a shared plotly.js; None inlines plotly.js instead.
    """
    parts = [
        fig.to_html(
            full_html=False,
            include_plotlyjs=plotly_src is None and i == 0,
            config={"displaylogo": False},
            div_id=f"figure-{i + 1}",  # not a random id: the same figures, the same bytes
        )
        for i, fig in enumerate(figures)
    ]
    script = (
        f"<script charset='utf-8' src='{html.escape(plotly_src)}'></script>" if plotly_src else ""
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>{script}"
        "<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}"
        "table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #ccc;"
        "padding:.25rem .5rem;text-align:right}th{background:#f3f3f3}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p>"
        + "".join(parts)
        + "<h2>Table</h2>"
        + _missing_as_nan(table).to_html(index=False, na_rep="–", float_format=lambda v: f"{v:.3f}")
        + "</body></html>"
    )


def _missing_as_nan(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the missing values of nullable columns (Int32, string: DuckDB's frames)
    as NaN, which ``to_html`` shows as ``na_rep`` (it prints pd.NA as ``<NA>``)."""
    shown = table.copy()
    for name in shown.columns:
        column = shown[name]
        if isinstance(column.dtype, pd.api.extensions.ExtensionDtype) and column.isna().any():
            shown[name] = column.astype(object).where(column.notna(), np.nan)
    return shown
