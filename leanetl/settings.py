"""Every leanetl setting, read once from environment variables.

The environment (local | branch | prod) is decided here and nowhere else. Secrets are *not* read
here: resources receive them through ``dagster.EnvVar`` so that their values never reach Dagster's
config, logs or metadata.
"""

import datetime as dt
import os
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"


class Environment(StrEnum):
    LOCAL = "local"
    BRANCH = "branch"
    PROD = "prod"


# name -> (default, description). The README table and .env.example are checked against this.
SETTINGS_DOC: dict[str, tuple[str, str]] = {
    "LEANETL_ENV": ("local", "local | branch | prod; unset on Dagster+ it follows the deployment"),
    "LEANETL_HOME": (
        "./.leanetl",
        "local state: warehouse, lake, embedded Mongo, sources, Dagster",
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
    "LEANETL_DATASET_SUFFIX": ("", "suffix for warehouse datasets; branch default _pr<id>"),
    "LEANETL_MONGO_URI": (
        "",
        "secret: MongoDB / Atlas URI (prod, branch); local uses the embedded store",
    ),
    "LEANETL_MONGO_DB_PREFIX": ("", "prefix for Mongo database names (branch default pr<id>_)"),
    "LEANETL_VAN_SIGNUPS_TABLE": (
        "",
        "prod: project.dataset.table of the VAN event sign-up status history",
    ),
    "LEANETL_VOLUNTEERS_CRON": (
        "0 6 * * *",
        "when the volunteers schedule runs (cron, local time)",
    ),
    "LEANETL_FRESHNESS_HOURS": ("26", "hours after which an out asset is overdue"),
    "LEANETL_SOURCE_MAX_DROP": (
        "0.5",
        "largest share of rows a source may lose from the previous partition before its blocking "
        "check fails (a source with no rows always fails)",
    ),
    "LEANETL_SENSOR_CATCHUP_DAYS": (
        "7",
        "at most this many of the newest missing days a sensor requests in one tick (newest first)",
    ),
    "LEANETL_LEADS_SHEET_KEY": (
        "",
        "key of the leads Google Sheet (from its URL); empty: read the newest export",
    ),
    "LEANETL_LEADS_WORKSHEET": ("", "worksheet (tab) title of the leads; empty: the first one"),
    "LEANETL_LEADS_SHEETS_CREDENTIALS": (
        "",
        "secret: service-account JSON (text or path); empty: GOOGLE_APPLICATION_CREDENTIALS",
    ),
    "LEANETL_SHEETS_API_URL": (
        "https://sheets.googleapis.com",
        "Sheets API base URL (a proxy, or the tests' fake)",
    ),
    "LEANETL_LEADS_SOURCE_URL": (
        "$LEANETL_HOME/sources/leads",
        "leads exports (leads*.csv, leads*.json) and companies*.csv: directory, s3:// or gs:// "
        "(prod default <lake>/sources/leads)",
    ),
    "LEANETL_LEADS_TIMEZONE": (
        "$LEANETL_TIMEZONE",
        "timezone of the timestamps operators type into the sheet",
    ),
    "LEANETL_LEADS_CRON": ("0 7 * * *", "when the leads schedule runs (cron, local time)"),
    "LEANETL_SPARK_MASTER": (
        "local[*]",
        "Spark master (local[*], spark://host:7077, yarn) or Spark Connect URL (sc://host:15002)",
    ),
    "LEANETL_SPARK_DRIVER_MEMORY": ("2g", "memory of the Spark driver (local mode: all of Spark)"),
    "SPARK_CONNECT_AUTHENTICATE_TOKEN": (
        "",
        "secret: token of a Spark Connect server (read by PySpark; never put it in the URL)",
    ),
    "LEANETL_FB_ACCESS_TOKEN": (
        "",
        "secret: Facebook Marketing API token (system user); empty locally: sample insights",
    ),
    "LEANETL_FB_GRAPH_URL": (
        "https://graph.facebook.com",
        "Graph API base URL (a proxy, or the tests' fake)",
    ),
    "LEANETL_FB_ASYNC_AFTER_DAYS": (
        "14",
        "daily insights requests longer than this many days run as async report runs",
    ),
    "LEANETL_FB_POLL_SECONDS": ("10", "seconds between polls of an async report run (at most 90)"),
    "LEANETL_FB_BACKOFF_SECONDS": (
        "5",
        "first wait after a throttling or transient Graph API error (doubles, 5 retries)",
    ),
    "LEANETL_CAMPAIGNS_LOOKBACK_DAYS": (
        "28",
        "days of insights re-fetched on every run (late attribution)",
    ),
    "LEANETL_CAMPAIGNS_CRON": (
        "0 */6 * * *",
        "when the campaigns schedule runs for today's partition (cron, local time)",
    ),
    "LEANETL_CONVERSION_ACTIONS": (
        "offsite_conversion.fb_pixel_purchase,offsite_conversion.fb_pixel_lead,lead,"
        "onsite_conversion.lead_grouped",
        "Graph API action types counted as conversions (comma-separated)",
    ),
    "LEANETL_CAMPAIGN_MAPS_URL": (
        "$LEANETL_LAKE_URL/campaign-maps",
        "where reach maps are uploaded: a directory, gs://bucket/prefix or s3://bucket/prefix",
    ),
    "LEANETL_CAMPAIGN_MAPS_PUBLIC_URL": (
        "",
        "base URL contributors open maps at (e.g. https://storage.googleapis.com/bucket/prefix); "
        "empty: the store's own URL",
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
    "AWS_REGION": ("us-east-1", "S3 region (standard)"),
}


def _get(name: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or SETTINGS_DOC[name][0]


def detect_environment() -> Environment:
    """Explicit ``LEANETL_ENV`` wins; on Dagster+ the deployment decides; otherwise local."""
    explicit = os.environ.get("LEANETL_ENV", "").strip().lower()
    if explicit:
        try:
            return Environment(explicit)
        except ValueError:
            raise ValueError(
                f"LEANETL_ENV={explicit!r} is not one of local, branch, prod"
            ) from None
    if os.environ.get("DAGSTER_CLOUD_IS_BRANCH_DEPLOYMENT") == "1":
        return Environment.BRANCH
    if os.environ.get("DAGSTER_CLOUD_DEPLOYMENT_NAME"):
        return Environment.PROD
    return Environment.LOCAL


@dataclass(frozen=True)
class Settings:
    env: Environment
    home: Path
    timezone: str
    start_date: dt.date
    lake_url: str
    s3_endpoint_url: str
    bq_project: str
    bq_location: str
    dataset_suffix: str
    mongo_db_prefix: str
    van_signups_table: str
    volunteers_cron: str
    freshness_hours: int
    source_max_drop: float
    sensor_catchup_days: int
    leads_sheet_key: str
    leads_worksheet: str
    sheets_api_url: str
    leads_source_url: str
    leads_timezone: str
    leads_cron: str
    spark_master: str
    spark_driver_memory: str
    fb_graph_url: str
    fb_async_after_days: int
    fb_poll_seconds: float
    fb_backoff_seconds: float
    campaigns_lookback_days: int
    campaigns_cron: str
    conversion_actions: tuple[str, ...]
    campaign_maps_url: str
    campaign_maps_public_url: str
    retries: int
    retry_delay_seconds: float
    smtp_host: str
    smtp_port: int
    smtp_tls: str
    smtp_user: str
    alert_from: str
    alert_to: tuple[str, ...]
    ui_url: str

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_local(self) -> bool:
        return self.env is Environment.LOCAL

    @property
    def duckdb_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def mongo_dir(self) -> Path:
        return self.home / "mongo"

    @property
    def sources_dir(self) -> Path:
        return self.home / "sources"

    @property
    def dbt_target(self) -> str:
        return "duckdb" if self.is_local else "bigquery"

    def schema(self, domain: str) -> str:
        """Warehouse schema (DuckDB) or dataset (BigQuery) of a domain."""
        return f"{domain}{self.dataset_suffix}"

    def today(self) -> dt.date:
        return dt.datetime.now(self.tz).date()


def load_settings() -> Settings:
    """Read every setting from the environment (no caching: tests change the environment)."""
    env = detect_environment()
    home = Path(_get("LEANETL_HOME")).expanduser()
    if not home.is_absolute():
        home = (Path.cwd() / home).resolve()
    pr = os.environ.get("DAGSTER_CLOUD_PULL_REQUEST_ID", "").strip()
    suffix = os.environ.get("LEANETL_DATASET_SUFFIX", "").strip()
    prefix = os.environ.get("LEANETL_MONGO_DB_PREFIX", "").strip()
    if env is Environment.BRANCH and pr:
        suffix = suffix or f"_pr{pr}"
        prefix = prefix or f"pr{pr}_"
    lake = os.environ.get("LEANETL_LAKE_URL", "").strip() or str(home / "lake")
    tz_name = _get("LEANETL_TIMEZONE")
    ZoneInfo(tz_name)  # fail early, naming the variable, on a bad timezone
    try:
        start = dt.date.fromisoformat(_get("LEANETL_START_DATE"))
    except ValueError as exc:
        raise ValueError(f"LEANETL_START_DATE is not a YYYY-MM-DD date: {exc}") from None
    settings = Settings(
        env=env,
        home=home,
        timezone=tz_name,
        start_date=start,
        lake_url=lake,
        s3_endpoint_url=_get("LEANETL_S3_ENDPOINT_URL"),
        bq_project=_get("LEANETL_BQ_PROJECT"),
        bq_location=_get("LEANETL_BQ_LOCATION"),
        dataset_suffix=suffix,
        mongo_db_prefix=prefix,
        van_signups_table=_get("LEANETL_VAN_SIGNUPS_TABLE"),
        volunteers_cron=_get("LEANETL_VOLUNTEERS_CRON"),
        freshness_hours=int(_get("LEANETL_FRESHNESS_HOURS")),
        source_max_drop=float(_get("LEANETL_SOURCE_MAX_DROP")),
        sensor_catchup_days=int(_get("LEANETL_SENSOR_CATCHUP_DAYS")),
        leads_sheet_key=_get("LEANETL_LEADS_SHEET_KEY"),
        leads_worksheet=_get("LEANETL_LEADS_WORKSHEET"),
        sheets_api_url=_get("LEANETL_SHEETS_API_URL"),
        leads_source_url=os.environ.get("LEANETL_LEADS_SOURCE_URL", "").strip()
        or (
            str(home / "sources" / "leads") if env is Environment.LOCAL else f"{lake}/sources/leads"
        ),
        leads_timezone=os.environ.get("LEANETL_LEADS_TIMEZONE", "").strip() or tz_name,
        leads_cron=_get("LEANETL_LEADS_CRON"),
        spark_master=_get("LEANETL_SPARK_MASTER"),
        spark_driver_memory=_get("LEANETL_SPARK_DRIVER_MEMORY"),
        fb_graph_url=_get("LEANETL_FB_GRAPH_URL").rstrip("/"),
        fb_async_after_days=int(_get("LEANETL_FB_ASYNC_AFTER_DAYS")),
        fb_poll_seconds=float(_get("LEANETL_FB_POLL_SECONDS")),
        fb_backoff_seconds=float(_get("LEANETL_FB_BACKOFF_SECONDS")),
        campaigns_lookback_days=int(_get("LEANETL_CAMPAIGNS_LOOKBACK_DAYS")),
        campaigns_cron=_get("LEANETL_CAMPAIGNS_CRON"),
        conversion_actions=tuple(
            a.strip() for a in _get("LEANETL_CONVERSION_ACTIONS").split(",") if a.strip()
        ),
        campaign_maps_url=os.environ.get("LEANETL_CAMPAIGN_MAPS_URL", "").strip()
        or f"{lake}/campaign-maps",
        campaign_maps_public_url=_get("LEANETL_CAMPAIGN_MAPS_PUBLIC_URL").rstrip("/"),
        retries=int(_get("LEANETL_RETRIES")),
        retry_delay_seconds=float(_get("LEANETL_RETRY_DELAY_SECONDS")),
        smtp_host=_get("LEANETL_SMTP_HOST"),
        smtp_port=int(_get("LEANETL_SMTP_PORT")),
        smtp_tls=_get("LEANETL_SMTP_TLS").lower(),
        smtp_user=_get("LEANETL_SMTP_USER"),
        alert_from=_get("LEANETL_ALERT_FROM"),
        alert_to=tuple(a.strip() for a in _get("LEANETL_ALERT_TO").split(",") if a.strip()),
        ui_url=_get("LEANETL_UI_URL").rstrip("/"),
    )
    ZoneInfo(settings.leads_timezone)
    if not 1 <= settings.campaigns_lookback_days <= 400:
        raise ValueError(
            f"LEANETL_CAMPAIGNS_LOOKBACK_DAYS={settings.campaigns_lookback_days} is not 1 to 400"
        )
    if not 0 <= settings.source_max_drop <= 1:
        raise ValueError(f"LEANETL_SOURCE_MAX_DROP={settings.source_max_drop} is not 0 to 1")
    if settings.sensor_catchup_days < 1:
        raise ValueError(f"LEANETL_SENSOR_CATCHUP_DAYS={settings.sensor_catchup_days} is not >= 1")
    if settings.smtp_tls not in ("starttls", "ssl", "none"):
        raise ValueError(f"LEANETL_SMTP_TLS={settings.smtp_tls!r} is not starttls, ssl or none")
    if not settings.is_local:
        missing = [
            name
            for name, value in (
                ("LEANETL_BQ_PROJECT", settings.bq_project),
                ("LEANETL_VAN_SIGNUPS_TABLE", settings.van_signups_table),
            )
            if not value
        ]
        if missing:
            raise ValueError(f"{env} environment needs {', '.join(missing)}")
    # dbt's profiles.yml reads these; dbt runs as a subprocess that inherits this environment.
    os.environ["LEANETL_HOME"] = str(home)
    os.environ["LEANETL_DATASET_SUFFIX"] = suffix
    return settings


@cache
def settings() -> Settings:
    """The settings of this process (read once)."""
    return load_settings()
