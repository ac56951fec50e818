"""Whitespace and Unicode normalisation of text typed by people."""

import re
import unicodedata
from collections.abc import Callable

import pandas as pd

# Arrow-backed text: pandas runs string methods in Arrow's C++ kernels, not per Python object.
TEXT = pd.StringDtype("pyarrow")

# Not raw strings: the characters themselves go into the pattern (Arrow's RE2 has no \u escapes).
_INVISIBLE = "[\u200b\u200c\u200d\u2060\ufeff\u00ad]"
_SPACES = "[\\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+"


def per_distinct(values: pd.Series, transform: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``transform`` applied once per distinct value and spread back over the rows.

    Columns people type repeat themselves (companies, names, countries), so 10M rows are often a
    few thousand distinct values.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    done = transform(pd.Series(uniques))
    taken = done.array.take(codes, allow_fill=True)
    return pd.Series(taken, index=values.index, name=values.name)


def normalised(text: pd.Series) -> pd.Series:
    """The transform of ``normalise_text`` on every value (use that one on repetitive columns)."""
    text = text.astype(TEXT).str.normalize("NFKC")
    text = text.str.replace(_INVISIBLE, "", regex=True)
    text = text.str.replace(_SPACES, " ", regex=True).str.strip()
    return text.mask(text == "")


def normalise_text(values: pd.Series) -> pd.Series:
    """NFKC-normalised, invisible characters removed, runs of spaces collapsed, trimmed.

    Empty results become missing (``<NA>``). Numbers (from a sheet read unformatted) become text.
    """
    return per_distinct(values.astype(TEXT), normalised)


def casefold(values: pd.Series) -> pd.Series:
    """Case-insensitive comparison keys ('Straße' and 'STRASSE' fold alike)."""
    return per_distinct(values, lambda distinct: distinct.astype(TEXT).str.casefold().astype(TEXT))


def normalise_name(text: str) -> str:
    """One value as ``normalise_text`` does a column: NFKC, invisible characters removed, runs
    of spaces collapsed to one, trimmed ('Post\u200b  Created ' → 'Post Created')."""
    text = unicodedata.normalize("NFKC", str(text))
    text = re.sub(_INVISIBLE, "", text)
    return re.sub(_SPACES, " ", text).strip()
