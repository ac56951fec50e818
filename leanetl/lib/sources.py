"""Checks every source shares: required columns, named in the error when one is missing."""

import re
import unicodedata
from collections.abc import Sequence

import pandas as pd


class SourceSchemaError(ValueError):
    """A source lacks a column the pipeline needs."""


def column_name(header: object) -> str:
    """``' First  Name '`` -> ``first_name``: how operators' headers map to column names."""
    text = unicodedata.normalize("NFKC", str(header)).strip().casefold()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def require_columns(frame: pd.DataFrame, required: Sequence[str], source: str) -> pd.DataFrame:
    """``frame`` with normalised headers, or an error naming ``source`` and every missing column.

    Extra columns are kept; a header that normalises to the same name as another is an error,
    since either column could be the one meant.
    """
    names = [column_name(c) for c in frame.columns]
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    clashes = sorted(n for n, count in seen.items() if count > 1 and n in required)
    if clashes:
        raise SourceSchemaError(
            f"{source}: column {', '.join(repr(c) for c in clashes)} appears more than once "
            f"(columns found: {list(frame.columns)})"
        )
    missing = [c for c in required if c not in seen]
    if missing:
        raise SourceSchemaError(
            f"{source}: missing required column {', '.join(repr(c) for c in missing)} "
            f"(columns found: {list(frame.columns)})"
        )
    renamed = frame.copy(deep=False)
    renamed.columns = names
    return renamed.loc[:, ~renamed.columns.duplicated()]
