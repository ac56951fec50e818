"""Cleaning leads and companies: text, timestamps, countries, dedupe, quarantine."""

import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leanetl.lib.countries import canonical_country, hq_country
from leanetl.lib.leads.clean import LEAD_KEY, clean_companies, clean_leads_pandas, keys_unique
from leanetl.lib.leads.dedupe import clean_leads
from leanetl.lib.leads.sheet_values import read_export
from leanetl.lib.sources import SourceSchemaError
from leanetl.lib.text import normalise_text
from leanetl.lib.timestamps import parse_operator_timestamps

TZ = "America/Chicago"


def leads(*rows: tuple) -> pd.DataFrame:
    columns = ["company", "first_name", "last_name", "title", "country", "operator_timestamp"]
    return pd.DataFrame(list(rows), columns=columns, dtype=object)


@pytest.mark.parametrize(
    ("typed", "utc"),
    [
        ("2022-11-15", "2022-11-15 06:00:00"),
        ("2022-11-15 00:00:00", "2022-11-15 06:00:00"),
        ("2022-11-15T09:30", "2022-11-15 15:30:00"),
        ("2022-11-15T09:30:00Z", "2022-11-15 09:30:00"),
        ("2022-11-15T09:30:00-05:00", "2022-11-15 14:30:00"),
        ("11/15/2022 9:00 AM", "2022-11-15 15:00:00"),
        ("11/15/2022 9:00 pm", "2022-11-16 03:00:00"),
        ("11/15/2022 12:00 AM", "2022-11-15 06:00:00"),
        ("11/15/2022 13:05:07", "2022-11-15 19:05:07"),
        ("11/15/2022", "2022-11-15 06:00:00"),
        ("44880.375", "2022-11-15 15:00:00"),  # Sheets serial: 2022-11-15 09:00 local
        (44880.375, "2022-11-15 15:00:00"),
        (43831, "2020-01-01 06:00:00"),
        ("2022-07-01 12:00", "2022-07-01 17:00:00"),  # CDT, not CST
        ("2022-11-06 01:30", "2022-11-06 06:30:00"),  # repeated hour: first occurrence
        ("2022-03-13 02:30", "2022-03-13 08:00:00"),  # skipped hour: moved forward
    ],
)
def test_operator_timestamp_forms(typed, utc) -> None:
    parsed = parse_operator_timestamps(pd.Series([typed], dtype=object), TZ)
    assert parsed.iloc[0] == pd.Timestamp(utc, tz="UTC")


@pytest.mark.parametrize(
    "typed", ["", None, "last tuesday", "13/45/2022", "2022-02-30", "12", "1e9"]
)
def test_unparsable_timestamps_are_nat(typed) -> None:
    assert pd.isna(parse_operator_timestamps(pd.Series([typed], dtype=object), TZ).iloc[0])


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("USA", "United States"),
        ("u.s.", "United States"),
        ("United States of America", "United States"),
        ("uk", "United Kingdom"),
        ("England", "United Kingdom"),
        ("DEU", "Germany"),
        ("Deutschland", "Germany"),
        ("Korea, Republic of", "South Korea"),
        ("Côte d’Ivoire", "Côte d'Ivoire"),
        ("Turkey", "Türkiye"),
        ("Narnia", "Narnia"),
    ],
)
def test_countries_to_one_canonical_name(typed, name) -> None:
    assert canonical_country(typed)[0] == name


@pytest.mark.parametrize(
    ("location", "country"),
    [
        ("Austin, TX", "United States"),
        ("Seattle, Washington", "United States"),
        ("London, UK", "United Kingdom"),
        ("Toronto, ON, Canada", "Canada"),
        ("Germany", "Germany"),
        ("Georgia", "Georgia"),  # the country, when nothing says state
    ],
)
def test_hq_country(location, country) -> None:
    assert hq_country(location)[0] == country


def test_text_normalisation() -> None:
    typed = pd.Series(["  Acme\u00a0 Inc ", "Ａcme\u200b", "\t", None, "e\u0301"], dtype=object)
    assert normalise_text(typed).tolist() == ["Acme Inc", "Acme", pd.NA, pd.NA, "é"]


@given(st.lists(st.text(max_size=12), max_size=20))
def test_normalisation_is_idempotent(values: list[str]) -> None:
    once = normalise_text(pd.Series(values, dtype=object))
    twice = normalise_text(once)
    assert once.fillna("<na>").tolist() == twice.fillna("<na>").tolist()


def test_dedupe_keeps_earliest_capture_latest_title() -> None:
    raw = leads(
        ("Acme", "Ann", "Lee", "Engineer", "USA", "2022-11-15 10:00"),
        (" ACME ", "ann", "LEE", "Lead Engineer", "United States", "11/20/2022 9:00 AM"),
        ("acme", "Ann", "Lee", "", "us", "2022-11-18"),
        ("Acme", "Ann", "Lee", "CTO", "Germany", "2022-11-16"),  # another country: another lead
    )
    cleaned = clean_leads(raw, TZ)
    assert len(cleaned.rows) == 2 and cleaned.duplicates_merged == 2
    us = cleaned.rows[cleaned.rows["country"] == "United States"].iloc[0]
    assert us["captured_at"] == pd.Timestamp("2022-11-15 16:00", tz="UTC")
    assert us["last_seen_at"] == pd.Timestamp("2022-11-20 15:00", tz="UTC")
    assert us["title"] == "Lead Engineer"  # the latest non-empty title
    assert us["source_rows"] == 3
    # The spelling of the latest row (11/20), normalised.
    assert (us["company"], us["first_name"], us["last_name"]) == ("ACME", "ann", "LEE")
    assert str(us["captured_date"]) == "2022-11-15"
    assert keys_unique(cleaned.rows, LEAD_KEY) == {"keys_unique": (True, {"duplicate_keys": 0})}
    repeated = pd.concat([cleaned.rows, cleaned.rows.head(1)])
    assert keys_unique(repeated, LEAD_KEY)["keys_unique"] == (False, {"duplicate_keys": 1})


def test_rows_missing_key_fields_are_quarantined_with_reasons() -> None:
    raw = leads(
        ("Acme", "Ann", "Lee", "CTO", "USA", "2022-11-15"),
        ("", "Bo", "Kim", "CTO", "USA", "2022-11-15"),
        ("Beta", "Bo", "Kim", "CTO", None, "someday"),
        ("Beta", "Cy", "Ng", "CTO", "UK", None),
    )
    cleaned = clean_leads(raw, TZ, "sheet")
    assert cleaned.quarantine[["locator", "reason"]].values.tolist() == [
        ["row 3", "missing company"],
        ["row 4", "missing country; unparsable operator_timestamp"],
        ["row 5", "missing operator_timestamp"],
    ]
    assert list(cleaned.quarantine.columns) == ["source", "locator", "reason", "raw"]
    assert json.loads(cleaned.quarantine["raw"].iloc[1])["operator_timestamp"] == "someday"
    assert len(cleaned.rows) == 1


def test_missing_required_column_names_source_and_column() -> None:
    raw = leads(("Acme", "Ann", "Lee", "CTO", "USA", "2022-11-15")).drop(columns=["country"])
    with pytest.raises(SourceSchemaError, match=r"^sheet X: missing required column 'country'"):
        clean_leads(raw, TZ, "sheet X")


def test_empty_input_gives_empty_output() -> None:
    cleaned = clean_leads(leads(), TZ)
    assert cleaned.rows.empty and cleaned.quarantine.empty and cleaned.source_rows == 0


def test_companies_dedupe_and_quarantine() -> None:
    raw = pd.DataFrame(
        {
            "Company": ["Acme", "ACME ", "Acme", "Beta", None],
            "HQ Location": ["Austin, TX", "austin, tx", "Berlin, Germany", None, "Paris"],
        }
    )
    cleaned = clean_companies(raw)
    assert cleaned.rows[["company", "hq_country"]].values.tolist() == [
        ["Acme", "United States"],
        ["Acme", "Germany"],
    ]
    assert cleaned.quarantine["reason"].tolist() == ["missing hq_location", "missing company"]


def test_exports_csv_and_json_shapes() -> None:
    csv = "Company,First Name,Last Name,Title,Country,Operator Timestamp\nAcme,Ann,Lee,CTO,USA,2022-11-15\n\nBeta,Bo,Kim\n"
    frame = read_export("leads.csv", csv.encode("utf-8-sig"))
    assert frame["source_row"].tolist() == [2, 4]
    records = b'[{"company": "Acme", "first_name": "Ann", "country": "USA"}]'
    assert read_export("leads.json", records)["company"].tolist() == ["Acme"]
    value_range = b'{"range": "Leads!A1:B2", "values": [["company", "country"], ["Acme", "USA"]]}'
    assert read_export("leads.json", value_range)["country"].tolist() == ["USA"]
    with pytest.raises(SourceSchemaError, match=r"leads\.json: not valid JSON"):
        read_export("leads.json", b"{oops")
    with pytest.raises(SourceSchemaError, match=r"leads\.csv: not UTF-8 text \(byte 9\)"):
        read_export("leads.csv", "company\nSão Paulo Co\n".encode("latin-1"))


def test_newest_export_is_read(tmp_path) -> None:
    import os

    from leanetl.defs.leads.sources import newest_export
    from leanetl.io_managers.object_store import ObjectStore

    source = ObjectStore(url=str(tmp_path))
    for name, mtime in (
        ("leads_b.csv", 1_700_000_000),
        ("leads_a.json", 1_700_000_500),
        ("companies.csv", 1_800_000_000),
    ):
        source.put_bytes(name, b"company\n")
        os.utime(tmp_path / name, (mtime, mtime))
    source.put_bytes("old/leads_z.csv", b"company\n")  # only the folder's own files count
    assert newest_export(source, "leads").key == "leads_a.json"
    assert newest_export(source, "nothing") is None


@pytest.mark.parametrize(
    "typed",
    [
        "01/02/2026\u00a010:00 AM",  # no-break space (sheets paste it)
        "01/02/2026 10:00\u200b AM",  # zero-width space
        "\ufeff01/02/2026 10:00 AM",  # byte-order mark
        "01/02/2026  10:00\u202fAM",  # two spaces, narrow no-break space (macOS times)
        "２０２６-01-02 10:00",  # full-width digits: NFKC
    ],
)
def test_timestamps_are_normalised_like_text_before_parsing(typed) -> None:
    parsed = parse_operator_timestamps(pd.Series([typed]), TZ)
    assert parsed.tolist() == [pd.Timestamp("2026-01-02 16:00", tz="UTC")]
    raw = leads(("Acme", "Ann", "Lee", "CTO", "USA", typed))
    cleaned = clean_leads(raw, TZ)
    assert cleaned.quarantine.empty and len(cleaned.rows) == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("leads.json", b'{"values": 5}', r"a ValueRange's \"values\" must be a list of rows"),
        ("leads.json", b'{"values": [5, 6]}', r"a ValueRange's \"values\" must be a list of rows"),
        ("leads.json", b'"text"', "JSON must be a list of records"),
        ("leads.json", b"[1, 2]", "JSON must be a list of records"),
        ("leads.json", b"{", "not valid JSON"),
        ("leads.csv", b'company,first_name\n"Acme,Ann\n', r"line \d+: unexpected end of data"),
        (
            "leads.csv",
            b"company,first_name\n" + b"A" * 1_000_000 + b",Ann\n",
            "line 2: field larger than field limit",
        ),
        ("leads.csv", b"company\n\xff\xfe", r"not UTF-8 text \(byte 8\)"),
    ],
    ids=["values-5", "values-not-rows", "string", "numbers", "broken", "unclosed", "1mb", "latin1"],
)
def test_bad_exports_fail_naming_the_file(name, data, message) -> None:
    with pytest.raises(SourceSchemaError, match=rf"^exports/{name}: " + message):
        read_export(f"exports/{name}", data, ["company"])


def test_bad_sources_fail_without_retries() -> None:
    import dagster as dg

    from leanetl.defs.sources import bad_source_fails_without_retry

    with pytest.raises(dg.Failure) as failure, bad_source_fails_without_retry():
        read_export("exports/leads.json", b'{"values": 5}')
    assert failure.value.allow_retries is False
    assert failure.value.description.startswith("exports/leads.json: ")


def _same_cleaning(raw: pd.DataFrame) -> None:
    """DuckDB's cleaning gives what the pandas reference gives: rows, quarantine, counts."""
    reference, cleaned = clean_leads_pandas(raw, TZ, "sheet"), clean_leads(raw, TZ, "sheet")
    pd.testing.assert_frame_equal(cleaned.rows, reference.rows.reset_index(drop=True))
    pd.testing.assert_frame_equal(cleaned.quarantine, reference.quarantine)
    assert cleaned.unrecognised_countries == reference.unrecognised_countries
    assert cleaned.duplicates_merged == reference.duplicates_merged


def test_duckdb_cleaning_equals_the_pandas_reference_on_the_sample() -> None:
    import datetime as dt

    from leanetl.sample.leads import generate_leads

    raw = generate_leads(20_000, dt.date(2024, 1, 1), dt.date(2025, 12, 31), seed=7)
    reference = clean_leads_pandas(raw, TZ, "sheet")
    assert reference.duplicates_merged > 500 and len(reference.quarantine) > 50
    _same_cleaning(raw)


CELLS = st.sampled_from(
    [None, "", " ", "Acme", "ACME ", "acme\u200b", "Ａｃｍｅ", "Straße", "STRASSE", "x"]
)
STAMPS = st.sampled_from(
    [None, "", "2025-03-14", "3/14/2025 9:05 am", "45730.5", "2025-03-14T09:05:00Z", "garbage"]
)
COUNTRIES = st.sampled_from([None, "USA", "u.s.", "Deutschland", "Germany", "Atlantis", " uk "])


@settings(deadline=None, max_examples=60)  # each case starts DuckDB: ~0.1 s
@given(st.lists(st.tuples(CELLS, CELLS, CELLS, CELLS, COUNTRIES, STAMPS), min_size=0, max_size=30))
def test_duckdb_cleaning_equals_the_pandas_reference_on_odd_input(rows) -> None:
    _same_cleaning(leads(*rows))


def test_a_tie_in_time_keeps_the_spelling_of_the_row_further_down() -> None:
    raw = leads(
        ("acme", "ada", "lovelace", "cto", "UK", "2025-03-14 09:00"),
        ("ACME", "Ada", "Lovelace", None, "uk", "2025-03-14 09:00"),
    )
    for clean in (clean_leads, clean_leads_pandas):
        (row,) = clean(raw, TZ).rows.to_dict("records")
        assert (row["company"], row["first_name"], row["title"]) == ("ACME", "Ada", "cto")


def _read_in_sql(values: list[str | None]) -> list:
    """``sql_local_time`` in DuckDB, localised as ``clean_leads`` does: UTC instants or None."""
    import duckdb
    import numpy as np
    import pyarrow as pa

    from leanetl.lib.timestamps import localise_naive, sql_local_time

    conn = duckdb.connect()
    conn.register("stamps", pa.table({"operator_timestamp": pa.array(values, pa.string())}))
    naive = conn.sql(f"select {sql_local_time('operator_timestamp')} from stamps").arrow()
    naive = naive.read_all() if isinstance(naive, pa.RecordBatchReader) else naive
    local = naive.column(0).to_numpy(zero_copy_only=False).astype("datetime64[us]")
    return [None if np.isnat(t) else pd.Timestamp(t, tz="UTC") for t in localise_naive(local, TZ)]


def _reference(values: list[str | None]) -> list:
    parsed = parse_operator_timestamps(pd.Series(values, dtype=object), TZ)
    return [None if pd.isna(t) else t for t in parsed]


SQL_FORMS = st.one_of(
    st.from_regex(r"\A(19|20|00|21)\d\d-[01]\d-[0-3]\d([T ][0-2]\d:[0-6]\d(:[0-6]\d)?)?\Z"),
    st.from_regex(r"\A[01]?\d/[0-3]?\d/(19|20|99)\d\d( [0-2]?\d:[0-6]\d(:[0-6]\d)?( [AP]M)?)?\Z"),
    st.from_regex(r"\A\d{4,6}(\.\d{1,9})?\Z"),
)


@settings(deadline=None, max_examples=300)
@given(st.lists(SQL_FORMS, min_size=1, max_size=20))
def test_sql_reads_the_common_forms_as_the_reference_does(values) -> None:
    """Where DuckDB reads a stamp it reads what ``parse_operator_timestamps`` reads; where it
    does not (NULL), ``clean_leads`` asks the reference, so only a disagreement on a read value
    would change an answer."""
    for sql, reference in zip(_read_in_sql(values), _reference(values), strict=True):
        assert sql is None or sql == reference


@pytest.mark.parametrize(
    "typed",
    [
        "2022-11-15",
        "2022-11-15T09:30",
        "2022-11-15 00:00:00",
        "11/15/2022 9:00 AM",
        "11/15/2022 12:00 AM",
        "11/15/2022 13:05:07",
        "11/15/2022",
        "44880.375",
        "2022-11-06 01:30",  # repeated hour: first occurrence
        "2022-03-13 02:30",  # skipped hour: moved forward
        "73050.0",
    ],
)
def test_sql_reads_every_common_form(typed) -> None:
    assert _read_in_sql([typed]) == _reference([typed])


def test_leads_tied_in_time_and_name_are_ordered_by_country() -> None:
    countries = ["Spain", "Brazil", "India", "Kenya", "Canada"]
    raw = leads(*(("Acme", "Ada", "Lovelace", "cto", c, "2025-03-14 09:00") for c in countries))
    for clean in (clean_leads, clean_leads_pandas):
        assert list(clean(raw, TZ).rows["country"]) == sorted(countries)


def test_an_arrow_table_in_chunks_cleans_as_the_frame_does() -> None:
    """The pipeline hands ``clean_leads`` an Arrow table, repeated text dictionary-encoded, in
    as many chunks as the Parquet file has row groups; bad rows fall in several chunks."""
    import datetime as dt

    import pyarrow as pa

    from leanetl.lib.leads.dedupe import REPEATED_COLUMNS
    from leanetl.lib.parquet import read_parquet_table, table_to_parquet_bytes
    from leanetl.sample.leads import generate_leads

    raw = generate_leads(6_000, dt.date(2024, 1, 1), dt.date(2024, 12, 31), seed=3)
    table = pa.Table.from_pandas(raw, preserve_index=False)
    chunked = pa.concat_tables([table.slice(i, 1_000) for i in range(0, 6_000, 1_000)])
    read = read_parquet_table(table_to_parquet_bytes(chunked), REPEATED_COLUMNS)
    read = pa.concat_tables([read.slice(i, 1_500) for i in range(0, 6_000, 1_500)])
    assert read.column("company").num_chunks > 1
    assert pa.types.is_dictionary(read.schema.field("company").type)
    from_table, from_frame = clean_leads(read, TZ, "sheet"), clean_leads(raw, TZ, "sheet")
    assert len(from_frame.quarantine) > 20
    pd.testing.assert_frame_equal(from_table.rows, from_frame.rows)
    pd.testing.assert_frame_equal(from_table.quarantine, from_frame.quarantine)


def test_an_arrow_column_without_any_value_is_missing_text() -> None:
    import pyarrow as pa

    raw = leads(("Acme", "Ada", "Lovelace", None, "UK", "2025-03-14 09:00"))
    table = pa.Table.from_pandas(raw.astype({"company": "string"}), preserve_index=False)
    table = table.set_column(3, "title", pa.nulls(1))  # how Parquet keeps an all-empty column
    (row,) = clean_leads(table, TZ).rows.to_dict("records")
    assert (row["company"], row["title"]) == ("Acme", None)
