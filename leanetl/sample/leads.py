"""Deterministic leads and companies as a sales team's operators paste them (the local source).

Vectorised with numpy so the bench can make 10M rows. Same arguments, same rows. The mess is on
purpose: country spellings and codes, four timestamp forms (ISO, ``YYYY-MM-DD HH:MM:SS``, US with
AM/PM, Sheets serial numbers), stray spaces and case, re-pasted duplicates, rows missing a field
and unparsable timestamps.
"""

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

COMPANY_WORDS = (
    "Acme",
    "Northwind",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Aperture",
    "Vandelay",
    "Pied Piper",
    "Dunder",
    "Oscorp",
    "Gringotts",
    "Monarch",
    "Nakatomi",
)
COMPANY_SUFFIXES = ("Labs", "Group", "Inc.", "Systems", "Partners")
HQS = (
    ("Austin, TX", "us"),
    ("New York, NY, USA", "us"),
    ("Seattle, Washington", "us"),
    ("London, UK", "gb"),
    ("Berlin, Germany", "de"),
    ("Toronto, ON, Canada", "ca"),
    ("Paris, France", "fr"),
    ("Bengaluru, India", "in"),
    ("São Paulo, Brazil", "br"),
    ("Sydney, Australia", "au"),
    ("Lagos, Nigeria", "ng"),
    ("Mexico City, Mexico", "mx"),
)
COUNTRY_SPELLINGS = {
    "us": ("United States", "USA", "US", "u.s.", "United States of America", " usa "),
    "gb": ("United Kingdom", "UK", "GB", "England", "Great Britain"),
    "de": ("Germany", "DE", "Deutschland", "germany"),
    "ca": ("Canada", "CA", "CAN"),
    "fr": ("France", "FR", "france"),
    "in": ("India", "IN", "IND"),
    "br": ("Brazil", "BR", "Brasil"),
    "au": ("Australia", "AU", "AUS"),
    "ng": ("Nigeria", "NG"),
    "mx": ("Mexico", "MX", "México"),
    "es": ("Spain", "ES", "España"),
    "jp": ("Japan", "JP"),
    "kr": ("South Korea", "KR", "Korea, Republic of"),
    "ke": ("Kenya", "KE"),
}
FIRST_NAMES = (
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Erin",
    "Farah",
    "Gus",
    "Hana",
    "Ivan",
    "José",
    "Kemi",
    "Liam",
    "Mei",
    "Noor",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tomás",
    "Uma",
    "Vik",
    "Wen",
    "Zoë",
)
LAST_NAMES = (
    "Ali",
    "Brown",
    "Chen",
    "Diaz",
    "Evans",
    "Fischer",
    "García",
    "Huang",
    "Ito",
    "Jones",
    "Kim",
    "López",
    "Müller",
    "Nguyen",
    "Okafor",
    "Patel",
    "Quist",
    "Rossi",
    "Singh",
    "Tanaka",
    "Walsh",
)
TITLES = (
    "CEO",
    "CTO",
    "VP Engineering",
    "Head of Data",
    "Data Engineer",
    "Product Manager",
    "Marketing Lead",
    "Sales Director",
    "Analyst",
    "Operations Manager",
)
LEADS_EXPORT = "leads_export_sample.csv"
COMPANIES_FILE = "companies_sample.csv"
SHEETS_EPOCH = np.datetime64("1899-12-30T00:00:00", "s")


def company_names() -> list[str]:
    return [f"{w} {s}" for w in COMPANY_WORDS for s in COMPANY_SUFFIXES]


def generate_companies(seed: int = 7) -> pd.DataFrame:
    """Every company once with its HQ, a few twice (same HQ, other case), one without an HQ."""
    rng = np.random.default_rng(seed)
    names = company_names()
    hq = rng.integers(0, len(HQS), len(names))
    frame = pd.DataFrame({"company": names, "hq_location": [HQS[i][0] for i in hq]}, dtype="string")
    repeats = frame.sample(n=5, random_state=seed)
    repeats["company"] = repeats["company"].str.upper()
    missing = pd.DataFrame({"company": ["Nameless Co"], "hq_location": [pd.NA]}, dtype="string")
    return pd.concat([frame, repeats, missing], ignore_index=True)


def _formats(local: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Local times (``datetime64[s]``) written in the four forms operators type."""
    stamps = pd.Series(local)
    form = rng.integers(0, 4, len(local))
    out = np.empty(len(local), dtype=object)
    for code, fmt in ((0, "%Y-%m-%dT%H:%M:%S"), (1, "%Y-%m-%d %H:%M:%S"), (2, "%m/%d/%Y %I:%M %p")):
        mask = form == code
        out[mask] = stamps[mask].dt.strftime(fmt).to_numpy()
    serial = form == 3
    days = (local[serial] - SHEETS_EPOCH).astype("int64") / 86_400
    out[serial] = np.char.mod("%.6f", days)
    return out


def generate_leads(
    rows: int, start: dt.date, end: dt.date, seed: int = 11, hq_share: float = 0.4
) -> pd.DataFrame:
    """``rows`` raw leads captured between ``start`` and ``end`` (local days, inclusive)."""
    rng = np.random.default_rng(seed)
    names = company_names()
    company = rng.integers(0, len(names), rows)
    hq_codes = np.array(
        [HQS[i][1] for i in np.random.default_rng(7).integers(0, len(HQS), len(names))]
    )
    codes = np.array(list(COUNTRY_SPELLINGS))
    country = np.where(
        rng.random(rows) < hq_share, hq_codes[company], codes[rng.integers(0, len(codes), rows)]
    )
    country_text = _spell(country, rng.integers(0, 6, rows))
    span = (end - start).days + 1
    seconds = rng.integers(0, span * 86_400, rows)
    local = np.datetime64(start.isoformat(), "s") + seconds.astype("timedelta64[s]")
    frame = pd.DataFrame(
        {
            "company": np.array(names, dtype=object)[company],
            "first_name": np.array(FIRST_NAMES, dtype=object)[
                rng.integers(0, len(FIRST_NAMES), rows)
            ],
            "last_name": np.array(LAST_NAMES, dtype=object)[rng.integers(0, len(LAST_NAMES), rows)],
            "title": np.array(TITLES, dtype=object)[rng.integers(0, len(TITLES), rows)],
            "country": country_text,
            "operator_timestamp": _formats(local, rng),
        }
    )
    # Re-pasted rows: same person, other case and spacing, a later time and maybe a new title.
    repeat = rng.random(rows) < 0.03
    frame.loc[repeat, "company"] = frame.loc[repeat, "company"].str.upper() + "  "
    frame.loc[repeat, "first_name"] = " " + frame.loc[repeat, "first_name"].str.lower()
    # The messy minority: a missing key field, a timestamp nobody can read.
    broken = rng.random(rows)
    frame.loc[broken < 0.004, "country"] = None
    frame.loc[(broken >= 0.004) & (broken < 0.006), "company"] = ""
    frame.loc[(broken >= 0.006) & (broken < 0.008), "operator_timestamp"] = "last tuesday"
    return frame.astype("string")


def _spell(country: np.ndarray, spelling: np.ndarray) -> np.ndarray:
    out = np.empty(len(country), dtype=object)
    for code, spellings in COUNTRY_SPELLINGS.items():
        mask = country == code
        choices = np.array(spellings, dtype=object)
        out[mask] = choices[spelling[mask] % len(spellings)]
    return out


def ensure_sample_files(directory: Path, today: dt.date) -> None:
    """Write a leads export and a companies file into ``directory`` when it has neither."""
    directory.mkdir(parents=True, exist_ok=True)
    if not any(directory.glob("leads*")):
        start = today.replace(month=1, day=1) - dt.timedelta(days=60)
        generate_leads(2_000, start, today).to_csv(directory / LEADS_EXPORT, index=False)
    if not any(directory.glob("companies*")):
        generate_companies().to_csv(directory / COMPANIES_FILE, index=False)
