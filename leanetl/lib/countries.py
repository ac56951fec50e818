"""Country names and codes to one canonical name (ISO 3166 through ``pycountry``).

The canonical name is pycountry's common name where it has one ("South Korea", "Iran",
"Vietnam"), its short name otherwise ("United States", "Germany"). Names ISO does not know but
people type ("UK", "England", "Russia", "Turkey", "Ivory Coast") are mapped through a short alias
table; anything else is left as typed and reported as unrecognised.
"""

import re
import unicodedata
from collections.abc import Callable
from functools import cache

import pandas as pd
import pycountry

from leanetl.lib.text import TEXT

# Not in ISO 3166's names; keys are compared after `_fold`.
ALIASES = {
    "uk": "GB",
    "u k": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "america": "US",
    "united states": "US",
    "russia": "RU",
    "turkey": "TR",
    "ivory coast": "CI",
    "holland": "NL",
    "the netherlands": "NL",
    "czech republic": "CZ",
    "south korea": "KR",
    "north korea": "KP",
    "korea": "KR",
    "macedonia": "MK",
    "swaziland": "SZ",
    "burma": "MM",
    "cape verde": "CV",
    "vatican": "VA",
    "palestine": "PS",
    "laos": "LA",
    "syria": "SY",
    "moldova": "MD",
    "tanzania": "TZ",
    "venezuela": "VE",
    "bolivia": "BO",
    "uae": "AE",
    "emirates": "AE",
    "deutschland": "DE",
    "espana": "ES",
    "mexico": "MX",
    "brasil": "BR",
}

US_STATES = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
}
_STATE_NAMES = {name.casefold(): code for code, name in US_STATES.items()}


def _fold(text: str) -> str:
    """Case, accents, dots and punctuation removed: 'U.S.A.' -> 'usa', 'España' -> 'espana'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[.'’]", "", text.casefold())
    return re.sub(r"[^0-9a-z]+", " ", text).strip()


def canonical_name(country: pycountry.db.Country) -> str:
    return getattr(country, "common_name", None) or country.name


@cache
def _folded_index() -> dict[str, str]:
    """Every ISO name (short, official, common) folded -> alpha-2."""
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if name:
                index.setdefault(_fold(name), country.alpha_2)
    return index


@cache
def country_code(text: str) -> str | None:
    """ISO alpha-2 code of a country name or code as people type it, or None."""
    folded = _fold(text)
    if not folded:
        return None
    if folded in ALIASES:
        return ALIASES[folded]
    if folded in _folded_index():
        return _folded_index()[folded]
    candidates = [text.strip(), folded, folded.replace(" ", "")]
    if folded.startswith("the "):
        candidates.append(folded[4:])
    for candidate in candidates:
        try:
            return pycountry.countries.lookup(candidate).alpha_2
        except LookupError:
            continue
    return None


def canonical_country(text: str) -> tuple[str, str | None]:
    """(canonical name, alpha-2 code) of ``text``; unrecognised text comes back unchanged."""
    code = country_code(text)
    if code is None:
        return text, None
    return canonical_name(pycountry.countries.get(alpha_2=code)), code


def us_state_code(text: str) -> str | None:
    """Two-letter code of a US state name or code ('Texas', 'tx', 'D.C.'), or None."""
    folded = _fold(text)
    upper = folded.replace(" ", "").upper()
    if len(upper) == 2 and upper in US_STATES:
        return upper
    return _STATE_NAMES.get(folded) or ("DC" if folded in ("washington dc", "dc") else None)


def hq_country(location: str) -> tuple[str, str | None]:
    """The country of a headquarters location: 'Austin, TX' and 'London, UK' both resolve.

    Tries the whole text, then its last comma-separated part; a US state or state code there
    means the United States.
    """
    parts = [p.strip() for p in location.split(",") if p.strip()]
    for candidate in (location, parts[-1] if parts else ""):
        if (
            candidate
            and country_code(candidate)
            and not (len(parts) > 1 and us_state_code(candidate))
        ):
            return canonical_country(candidate)
    if parts and us_state_code(parts[-1]):
        return canonical_country("US")
    return canonical_country(parts[-1] if parts else location)


def _vectorised(
    values: pd.Series, resolve: Callable[[str], tuple[str, str | None]]
) -> tuple[pd.Series, pd.Series]:
    mapping = {v: resolve(v) for v in values.dropna().unique()}
    names = values.map({k: n for k, (n, _) in mapping.items()}).astype(TEXT)
    codes = values.map({k: c for k, (_, c) in mapping.items()}).astype(TEXT)
    return names, codes


def canonical_countries(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``canonical_country`` over a text column (looked up once per distinct value)."""
    return _vectorised(values, canonical_country)


def hq_countries(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``hq_country`` over a text column (looked up once per distinct value)."""
    return _vectorised(values, hq_country)
