"""Spark SQL answers against an independent pandas computation, on generated data."""

import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import pytest

from leanetl.lib.leads.answers import ANSWERS, pandas_answers, spark_answers, spark_totals
from leanetl.lib.leads.clean import clean_companies
from leanetl.lib.leads.dedupe import clean_leads
from leanetl.sample.leads import generate_companies, generate_leads

pytestmark = pytest.mark.slow
TZ = "America/Chicago"


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    from leanetl.defs.leads.resources import spark_config
    from leanetl.settings import load_settings

    builder = SparkSession.builder
    for key, value in spark_config(load_settings()).items():
        builder = builder.config(key, value)
    session = builder.master("local[2]").getOrCreate()
    yield session


def edge_rows(as_of: dt.date, ties: bool = True) -> pd.DataFrame:
    """Leads at 23:59 local on the window's edges, and a tie between two countries."""
    rows = []
    for offset, n in ((-10, 3), (-9, 2), (0, 4), (1, 5)):
        day = as_of + dt.timedelta(days=offset)
        for i in range(n):
            rows.append(
                ("Edge Co", f"E{offset}", f"N{i} {as_of}", "CEO", "Kenya", f"{day} 23:59:00")
            )
    for name in ("Zed", "Amy") if ties else ():  # a tie at 2 leads: Bhutan before Nepal
        for country in ("Nepal", "Bhutan"):
            rows.append(("Tie Co", name, "T", "CEO", country, f"{as_of} 00:00:00"))
    columns = ["company", "first_name", "last_name", "title", "country", "operator_timestamp"]
    return pd.DataFrame(rows, columns=columns, dtype="string")


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame, Path, Path]:
    raw = generate_leads(20_000, dt.date(2022, 10, 1), dt.date(2023, 3, 31), seed=5)
    raw = pd.concat(
        [raw, edge_rows(dt.date(2023, 1, 3)), edge_rows(dt.date(2022, 12, 31), ties=False)],
        ignore_index=True,
    )
    leads = clean_leads(raw, TZ).rows
    companies = clean_companies(generate_companies()).rows
    folder = tmp_path_factory.mktemp("answers")
    leads.to_parquet(folder / "leads.parquet")
    companies.to_parquet(folder / "companies.parquet")
    return leads, companies, folder / "leads.parquet", folder / "companies.parquet"


@pytest.mark.parametrize(
    "as_of",
    [dt.date(2023, 1, 3), dt.date(2022, 12, 31), dt.date(2023, 3, 15), dt.date(2021, 6, 1)],
    ids=["after-new-year", "new-years-eve", "mid-march", "before-any-lead"],
)
def test_spark_matches_pandas(spark, cleaned, as_of) -> None:
    leads, companies, leads_path, companies_path = cleaned
    expected = pandas_answers(leads, companies, as_of)
    actual = spark_answers(spark, str(leads_path), str(companies_path), as_of)
    for name in ANSWERS:
        pd.testing.assert_frame_equal(actual[name], expected[name], check_dtype=True, obj=name)
    totals = spark_totals(spark, as_of)
    assert totals["in_year"] == actual["leads_per_month"]["leads"].sum()


def test_edges_by_hand(spark, tmp_path) -> None:
    raw = pd.concat([edge_rows(dt.date(2023, 1, 3)), edge_rows(dt.date(2022, 12, 31), ties=False)])
    clean_leads(raw, TZ).rows.to_parquet(tmp_path / "leads.parquet")
    clean_companies(generate_companies()).rows.to_parquet(tmp_path / "companies.parquet")
    answers = spark_answers(
        spark,
        str(tmp_path / "leads.parquet"),
        str(tmp_path / "companies.parquet"),
        dt.date(2023, 1, 3),
    )
    window = answers["leads_last_10_days"].set_index("day")["leads"]
    # 12-24 (10 days back) is out, 12-25 (9 back) is in, 01-04 (the day after) is out.
    assert list(window.index) == [dt.date(2022, 12, 25) + dt.timedelta(days=n) for n in range(10)]
    assert window[window > 0].to_dict() == {
        dt.date(2022, 12, 25): 2,
        dt.date(2022, 12, 31): 4,
        dt.date(2023, 1, 1): 5,
        dt.date(2023, 1, 3): 4 + 4,
    }
    # The year boundary: December's leads are last year's.
    assert answers["leads_per_month"].values.tolist() == [[dt.date(2023, 1, 1), 5 + 8]]
    top = answers["top_countries"]
    assert top.values.tolist() == [
        [1, "Kenya", 3 + 2 + 4 + 5 + 3 + 2 + 4],
        [2, "Bhutan", 2],
        [3, "Nepal", 2],
    ]


def test_empty_leads_give_empty_answers(spark, tmp_path) -> None:
    leads = clean_leads(edge_rows(dt.date(2023, 1, 1)).iloc[0:0], TZ).rows
    companies = clean_companies(generate_companies()).rows
    leads.to_parquet(tmp_path / "l.parquet")
    companies.to_parquet(tmp_path / "c.parquet")
    as_of = dt.date(2023, 2, 1)
    answers = spark_answers(spark, str(tmp_path / "l.parquet"), str(tmp_path / "c.parquet"), as_of)
    assert answers["leads_per_month"]["leads"].tolist() == [0, 0]
    assert answers["leads_last_10_days"]["leads"].sum() == 0
    assert answers["top_countries"].empty
    assert answers["hq_staff"]["hq_staff"].sum() == 0
    for name in ANSWERS:
        expected = pandas_answers(leads, companies, as_of)[name]
        pd.testing.assert_frame_equal(answers[name], expected, obj=name)


CONNECT_CLIENT = """
import datetime as dt, sys
from dagster_pyspark import LazyPySparkResource
from leanetl.lib.leads.answers import ANSWERS, spark_answers
from leanetl.defs.leads.resources import spark_config
from leanetl.settings import load_settings
session = LazyPySparkResource(spark_config=spark_config(load_settings())).spark_session
assert type(session).__module__ == "pyspark.sql.connect.session", type(session)
answers = spark_answers(session, sys.argv[1], sys.argv[2], dt.date(2023, 1, 3))
for name in ANSWERS:
    answers[name].to_pickle(f"{sys.argv[3]}/{name}.pkl")
"""


def test_same_answers_through_spark_connect(cleaned, tmp_path) -> None:
    """LEANETL_SPARK_MASTER=sc://… sends the same SQL to a Spark Connect server over gRPC.

    The client runs in its own process: PySpark refuses a Connect session beside a classic one.
    """
    import os
    import subprocess

    from leanetl_tests.fakes.processes import free_port, serving

    leads, companies, leads_path, companies_path = cleaned
    port = free_port()
    token = {"SPARK_CONNECT_AUTHENTICATE_TOKEN": "connect-test-token"}
    server = [sys.executable, "-m", "leanetl_tests.fakes.spark_connect_server", str(port)]
    client_env = {**os.environ, **token, "LEANETL_SPARK_MASTER": f"sc://localhost:{port}"}
    client = [
        sys.executable,
        "-c",
        CONNECT_CLIENT,
        str(leads_path),
        str(companies_path),
        str(tmp_path),
    ]
    with serving(server, port, tmp_path / "connect.log", env=token, timeout=180):
        subprocess.run(client, env=client_env, check=True, timeout=300)
    expected = pandas_answers(leads, companies, dt.date(2023, 1, 3))
    for name in ANSWERS:
        actual = pd.read_pickle(tmp_path / f"{name}.pkl")
        pd.testing.assert_frame_equal(actual, expected[name], obj=name)
