"""Every setting's name, default and meaning: the core's here, each domain's beside its
definitions (``leanetl/defs/<domain>/settings.py``, found by ``leanetl.domains``). The docs
page, .env.example, the reader's defaults and the redactor's list of secrets all come from these
(a meaning that starts with ``secret:`` makes a secret)."""

from functools import cache

from leanetl.domains import domain_docs

# name -> (default, description). The README table and .env.example are checked against these.
CORE_DOC: dict[str, tuple[str, str]] = {
    "LEANETL_ENV": ("local", "local | branch | prod; unset on Dagster+ it follows the deployment"),
    "LEANETL_HOME": (
        "./.leanetl",
        "local state: warehouse, lake, embedded Mongo, sources, Dagster",
    ),
    "LEANETL_SAMPLE_DATA": (
        "",
        "on | off (local only): the sample Facebook insights and sample Chatfuel bot answer in "
        "place of the APIs; unset: on only in a home that `make sample` (or `make demo`) "
        "filled with the sample sources",
    ),
    "LEANETL_TIMEZONE": ("America/Chicago", "timezone of the daily partitions and schedules"),
    "LEANETL_START_DATE": ("2025-01-01", "first daily partition"),
    "LEANETL_LAKE_URL": (
        "$LEANETL_HOME/lake",
        "object store root: a directory, s3://bucket/prefix or gs://bucket/prefix",
    ),
    "LEANETL_S3_ENDPOINT_URL": ("", "S3-compatible endpoint (MinIO, moto); empty for AWS"),
    "LEANETL_BQ_PROJECT": ("", "BigQuery project of the warehouse (prod, branch)"),
    "LEANETL_BQ_LOCATION": ("US", "BigQuery location of the datasets"),
    "BIGQUERY_EMULATOR_HOST": (
        "",
        "BigQuery emulator URL (the tests' bqemulator); empty: Google's API (standard)",
    ),
    "LEANETL_DATASET_SUFFIX": ("", "suffix for warehouse datasets; branch default _pr<id>"),
    "LEANETL_MONGO_URI": (
        "",
        "secret: MongoDB / Atlas URI (prod, branch); local uses the embedded store",
    ),
    "LEANETL_MONGO_DB_PREFIX": ("", "prefix for Mongo database names (branch default pr<id>_)"),
    "LEANETL_FRESHNESS_HOURS": ("26", "hours after which an out asset is overdue"),
    "LEANETL_SOURCE_MAX_DROP": (
        "0.5",
        "largest share of rows a source may lose from the previous partition before its blocking "
        "check fails (a source with no rows always fails)",
    ),
    "LEANETL_QUARANTINE_MAX_SHARE": (
        "0.05",
        "largest share of a source's records that may be quarantined before its check warns; "
        "each domain may override it (LEANETL_<DOMAIN>_QUARANTINE_MAX_SHARE)",
    ),
    "LEANETL_SENSOR_CATCHUP_DAYS": (
        "7",
        "at most this many of the newest missing days a sensor requests in one tick (newest first)",
    ),
    "LEANETL_RETRIES": ("3", "retries of a failed step (exponential backoff with jitter)"),
    "LEANETL_RETRY_DELAY_SECONDS": ("30", "delay before the first retry"),
    "LEANETL_SMTP_HOST": ("", "mail server for failure alerts; empty: no e-mail"),
    "LEANETL_SMTP_PORT": ("587", "mail server port"),
    "LEANETL_SMTP_TLS": ("starttls", "starttls | ssl | none"),
    "LEANETL_SMTP_USER": ("", "mail server login; empty: no login"),
    "LEANETL_SMTP_PASSWORD": ("", "secret: mail server password"),
    "LEANETL_ALERT_FROM": ("leanetl@localhost", "sender of failure alerts"),
    "LEANETL_ALERT_TO": ("", "comma-separated recipients of failure alerts"),
    "LEANETL_UI_URL": ("http://127.0.0.1:3000", "Dagster UI address used in alert links"),
    "GOOGLE_APPLICATION_CREDENTIALS": (
        "",
        "secret: service-account JSON for BigQuery/GCS (standard)",
    ),
    "AWS_ACCESS_KEY_ID": ("", "secret: S3 credentials (standard boto3 chain)"),
    "AWS_SECRET_ACCESS_KEY": ("", "secret: S3 credentials (standard boto3 chain)"),
    "AWS_SESSION_TOKEN": ("", "secret: temporary S3 credentials' token (standard boto3 chain)"),
    "AWS_REGION": ("us-east-1", "S3 region (standard)"),
}


@cache
def settings_doc() -> dict[str, tuple[str, str]]:
    """Every setting: the core's, then each domain's (``leanetl/defs/<domain>/settings.py``)."""
    merged = dict(CORE_DOC)
    for domain, doc in domain_docs().items():
        if taken := sorted(set(doc) & set(merged)):
            raise ValueError(f"domain {domain} declares settings declared before: {taken}")
        merged |= doc
    return merged


@cache
def secret_names() -> tuple[str, ...]:
    """The settings whose values are secrets (their meaning starts with ``secret:``)."""
    return tuple(n for n, (_, about) in settings_doc().items() if about.startswith("secret:"))
