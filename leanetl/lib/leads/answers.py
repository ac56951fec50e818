"""The four leads answers as of a day: in Spark SQL (the pipeline) and in pandas (the reference).

Both read cleaned leads (``captured_date`` is the local calendar day a lead was first captured,
``country`` its canonical country, ``company_key`` its case-folded company) and cleaned companies
(``company_key``, ``company``, ``hq_country``). Only leads captured on or before ``as_of`` count.

- ``leads_per_month``: every month of ``as_of``'s calendar year up to its month, zero-filled.
- ``leads_last_10_days``: ``as_of`` and the nine days before it, zero-filled.
- ``top_countries``: the 20 countries with most leads; ties ordered by name.
- ``hq_staff``: per company, its leads whose country is (one of) the company's HQ countries.
"""

import datetime as dt
import itertools
from typing import Any

import pandas as pd

from leanetl.lib.outcomes import Outcomes

ANSWERS = ("leads_per_month", "leads_last_10_days", "top_countries", "hq_staff")
TOP_COUNTRIES = 20
WINDOW_DAYS = 10

SQL = {
    "leads_per_month": """
        WITH months AS (
            SELECT explode(sequence(trunc(:as_of, 'YEAR'), trunc(:as_of, 'MM'), INTERVAL 1 MONTH)) AS month
        ),
        counted AS (
            SELECT trunc(captured_date, 'MM') AS month, count(*) AS leads
            FROM leads
            WHERE captured_date BETWEEN trunc(:as_of, 'YEAR') AND :as_of
            GROUP BY 1
        )
        SELECT m.month, coalesce(c.leads, 0) AS leads
        FROM months m LEFT JOIN counted c ON c.month = m.month
        ORDER BY m.month
    """,
    "leads_last_10_days": f"""
        WITH days AS (
            SELECT explode(sequence(date_sub(:as_of, {WINDOW_DAYS - 1}), :as_of)) AS day
        ),
        counted AS (
            SELECT captured_date AS day, count(*) AS leads
            FROM leads
            WHERE captured_date BETWEEN date_sub(:as_of, {WINDOW_DAYS - 1}) AND :as_of
            GROUP BY 1
        )
        SELECT d.day, coalesce(c.leads, 0) AS leads
        FROM days d LEFT JOIN counted c ON c.day = d.day
        ORDER BY d.day
    """,
    "top_countries": f"""
        SELECT country, count(*) AS leads
        FROM leads
        WHERE captured_date <= :as_of
        GROUP BY country
        ORDER BY leads DESC, country ASC
        LIMIT {TOP_COUNTRIES}
    """,
    "hq_staff": """
        WITH known AS (SELECT * FROM leads WHERE captured_date <= :as_of),
        hq AS (
            SELECT company_key, min(company) AS company,
                   array_join(array_sort(collect_set(hq_country)), '; ') AS hq_country
            FROM companies GROUP BY company_key
        ),
        pairs AS (SELECT DISTINCT company_key, hq_country FROM companies),
        matched AS (
            SELECT l.company_key, count(*) AS hq_staff
            FROM known l JOIN pairs p ON p.company_key = l.company_key AND p.hq_country = l.country
            GROUP BY l.company_key
        ),
        totals AS (SELECT company_key, count(*) AS leads FROM known GROUP BY company_key)
        SELECT h.company, h.hq_country, coalesce(m.hq_staff, 0) AS hq_staff,
               coalesce(t.leads, 0) AS leads
        FROM hq h
        LEFT JOIN matched m ON m.company_key = h.company_key
        LEFT JOIN totals t ON t.company_key = h.company_key
        ORDER BY hq_staff DESC, h.company
    """,
}


def spark_answers(
    spark: Any, leads_path: str, companies_path: str, as_of: dt.date
) -> dict[str, pd.DataFrame]:
    """Run the four answers in Spark SQL over the cleaned Parquet at the given paths.

    Spark reads the files where they are (a local path, or s3://, gs:// on a cluster that has the
    connector), so the leads never pass through this process; only the small answers come back.
    """
    spark.read.parquet(leads_path).createOrReplaceTempView("leads")
    spark.read.parquet(companies_path).createOrReplaceTempView("companies")
    answers = {}
    for name in ANSWERS:
        frame = spark.sql(SQL[name], args={"as_of": as_of}).toPandas()
        answers[name] = _typed(name, frame)
    return answers


TOTALS_SQL = """
    SELECT count_if(captured_date <= :as_of) AS known,
           count_if(captured_date BETWEEN trunc(:as_of, 'YEAR') AND :as_of) AS in_year
    FROM leads
"""


def spark_totals(spark: Any, as_of: dt.date) -> dict[str, int]:
    """Leads known by ``as_of`` and captured in its year so far (after ``spark_answers``)."""
    row = spark.sql(TOTALS_SQL, args={"as_of": as_of}).collect()[0]
    return {"known": int(row["known"] or 0), "in_year": int(row["in_year"] or 0)}


def _typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Stable dtypes whatever the engine (Spark's toPandas gives objects for dates)."""
    frame = frame.copy()
    if name == "top_countries" and "rank" not in frame.columns:
        frame.insert(0, "rank", range(1, len(frame) + 1))
    for column in ("month", "day"):
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column]).dt.date
    for column in ("leads", "hq_staff", "rank"):
        if column in frame.columns:
            frame[column] = frame[column].astype("int64")
    for column in ("country", "company", "hq_country"):
        if column in frame.columns:
            frame[column] = frame[column].astype(object)
    return frame.reset_index(drop=True)


def _days(values: pd.Series) -> pd.Series:
    """A date column (Arrow date32, datetime or date objects) as ``datetime64[s]`` midnights."""
    return pd.Series(
        pd.to_datetime(values).to_numpy().astype("datetime64[D]").astype("datetime64[s]"),
        index=values.index,
    )


def pandas_answers(
    leads: pd.DataFrame, companies: pd.DataFrame, as_of: dt.date
) -> dict[str, pd.DataFrame]:
    """The same four answers in pandas: the reference for tests and the baseline in the bench."""
    day = _days(leads["captured_date"])
    end = pd.Timestamp(as_of)
    known = leads.assign(day=day)[day <= end]

    year_start = end.replace(month=1, day=1)
    months = pd.date_range(year_start, end.replace(day=1), freq="MS")
    in_year = known["day"][known["day"] >= year_start]
    per_month = in_year.dt.to_period("M").dt.start_time.value_counts()
    leads_per_month = pd.DataFrame(
        {"month": months, "leads": per_month.reindex(months, fill_value=0).to_numpy()}
    )

    window = pd.date_range(end - pd.Timedelta(days=WINDOW_DAYS - 1), end, freq="D")
    per_day = known["day"][known["day"] >= window[0]].value_counts()
    leads_last_10_days = pd.DataFrame(
        {"day": window, "leads": per_day.reindex(window, fill_value=0).to_numpy()}
    )

    by_country = known.groupby("country", observed=True).size().rename("leads").reset_index()
    by_country = by_country.sort_values(["leads", "country"], ascending=[False, True])
    top = by_country.head(TOP_COUNTRIES)

    hq = companies.groupby("company_key").agg(
        company=("company", "min"),
        hq_country=("hq_country", lambda s: "; ".join(sorted(set(s)))),
    )
    pairs = companies[["company_key", "hq_country"]].drop_duplicates()
    matched = known[["company_key", "country"]].merge(
        pairs, left_on=["company_key", "country"], right_on=["company_key", "hq_country"]
    )
    hq["hq_staff"] = matched.groupby("company_key").size().reindex(hq.index, fill_value=0)
    hq["leads"] = known.groupby("company_key").size().reindex(hq.index, fill_value=0)
    hq_staff = hq.reset_index(drop=True).sort_values(
        ["hq_staff", "company"], ascending=[False, True]
    )[["company", "hq_country", "hq_staff", "leads"]]

    answers = {
        "leads_per_month": leads_per_month,
        "leads_last_10_days": leads_last_10_days,
        "top_countries": top[["country", "leads"]],
        "hq_staff": hq_staff,
    }
    return {name: _typed(name, frame) for name, frame in answers.items()}


def answer_checks(
    answers: dict[str, pd.DataFrame], totals: dict[str, int], day: object
) -> Outcomes:
    """check name -> (passed, metadata), computed from the answers themselves."""
    per_month = int(answers["leads_per_month"]["leads"].sum())
    days = list(answers["leads_last_10_days"]["day"])
    top = answers["top_countries"]
    ordered = top.sort_values(["leads", "country"], ascending=[False, True]).reset_index(drop=True)
    staff = answers["hq_staff"]
    over = int((staff["hq_staff"] > staff["leads"]).sum())
    return {
        "per_month_reconciles": (
            per_month == totals["in_year"],
            {"sum_of_months": per_month, "leads_this_year": totals["in_year"]},
        ),
        "window_is_ten_days": (
            len(days) == WINDOW_DAYS
            and days[-1] == day
            and all((b - a).days == 1 for a, b in itertools.pairwise(days)),
            {"days": len(days)},
        ),
        "top_countries_ranked": (
            len(top) <= TOP_COUNTRIES
            and top[["country", "leads"]].equals(ordered[["country", "leads"]]),
            {"rows": len(top)},
        ),
        "hq_staff_within_leads": (over == 0, {"companies_over": over}),
    }
