"""The four answers, computed in Spark SQL as of the partition day, written as Parquet."""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import dagster as dg
from dagster_pyspark import LazyPySparkResource

from leanetl.defs.checks import check_results
from leanetl.defs.leads.common import COMPANIES, DOMAIN, LEADS
from leanetl.defs.metadata import preview
from leanetl.defs.partitions import (
    daily_step,
    partition_day,
)
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.parquet import partition_object_key
from leanetl.lib.leads.answers import (
    ANSWERS,
    TOP_COUNTRIES,
    WINDOW_DAYS,
    answer_checks,
    spark_answers,
    spark_totals,
)
from leanetl.settings import Settings

DESCRIPTIONS = {
    "leads_per_month": "Leads captured per month of the partition day's year, up to that day (zero-filled).",
    "leads_last_10_days": "Leads captured on the partition day and each of the nine days before it.",
    "top_countries": f"The {TOP_COUNTRIES} countries with most leads up to the partition day; ties by name.",
    "hq_staff": "Per company: its leads whose country is the company's HQ country, and all its leads.",
}
CHECKS = {
    "per_month_reconciles": "leads_per_month adds up to the leads captured this year up to the day.",
    "window_is_ten_days": f"leads_last_10_days has exactly {WINDOW_DAYS} consecutive days ending on the day.",
    "top_countries_ranked": f"At most {TOP_COUNTRIES} rows, ordered by leads then name.",
    "hq_staff_within_leads": "No company has more HQ staff than leads.",
}
CHECK_ASSET = {
    "per_month_reconciles": "leads_per_month",
    "window_is_ten_days": "leads_last_10_days",
    "top_countries_ranked": "top_countries",
    "hq_staff_within_leads": "hq_staff",
}
CHECK_KEYS = {check: dg.AssetKey([DOMAIN, asset]) for check, asset in CHECK_ASSET.items()}


@contextmanager
def _spark_paths(lake: ObjectStore, keys: list[str], in_process: bool) -> Iterator[list[str]]:
    """Where Spark reads the day's clean Parquet. A cluster (spark://, yarn, Spark Connect)
    reads the lake in place, with the connector it has for S3 or GCS; Spark running in this
    process (local[*], the image's default) has no such connector, so it reads local copies."""
    if not in_process:
        yield [lake.uri(key) for key in keys]
        return
    with ExitStack() as stack:
        yield [str(stack.enter_context(lake.local_copy(key))) for key in keys]


def build_answers_asset(settings: Settings) -> dg.AssetsDefinition:
    @daily_step(
        settings,
        "answer_leads_questions",
        deps=[LEADS, COMPANIES],
        outs={
            name: dg.AssetOut(
                key=[DOMAIN, name],
                io_manager_key="parquet_io_manager",
                description=DESCRIPTIONS[name],
                kinds={"spark", "parquet"},
                tags={"layer": "out"},
            )
            for name in ANSWERS
        },
        check_specs=[
            dg.AssetCheckSpec(check, asset=CHECK_KEYS[check], description=text)
            for check, text in CHECKS.items()
        ],
    )
    def answer_leads_questions(
        context: dg.AssetExecutionContext, pyspark: LazyPySparkResource, lake: ObjectStore
    ):
        day = partition_day(context)
        keys = [partition_object_key(key, context.partition_key) for key in (LEADS, COMPANIES)]
        spark = pyspark.spark_session
        with _spark_paths(lake, keys, settings.leads.spark_in_process) as (
            leads_path,
            companies_path,
        ):
            answers = spark_answers(spark, leads_path, companies_path, day)
            totals = spark_totals(spark, day)
        for name in ANSWERS:
            frame = answers[name]
            yield dg.Output(
                frame,
                output_name=name,
                metadata={
                    "as_of": day.isoformat(),
                    "leads_known": totals["known"],
                    "spark_master": spark.conf.get("spark.master", "spark connect"),
                    "preview": preview(frame, 12),
                },
            )
        yield from check_results(answer_checks(answers, totals, day), CHECK_KEYS)

    return answer_leads_questions
