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
    )
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
