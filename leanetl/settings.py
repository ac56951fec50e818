"""Every leanetl setting, read once from environment variables: the one place that reads them.

Core settings are here; each domain's live next to its definitions
(``leanetl/defs/<domain>/settings.py``: its names, defaults, meaning and a small frozen class,
declared as its ``DOMAIN``), and are read here through ``EnvValues``: ``settings.<domain>``. The environment (local | branch | prod) is decided here
and nowhere else. Secrets are *not* read: only whether they are set; resources receive them
through ``dagster.EnvVar`` so that their values never reach Dagster's config, logs or metadata.
Nothing here writes the environment.
"""

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from leanetl.domains import domains
from leanetl.env_values import EnvValues
from leanetl.settings_doc import secret_names, settings_doc

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Left in a local home by ``make sample`` / ``make demo`` (leanetl.sample.prepare): its owner
# asked for the sample there.
SAMPLE_MARKER = "sample-data.json"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"


class Environment(StrEnum):
    LOCAL = "local"
    BRANCH = "branch"
    PROD = "prod"


NEEDED_OUTSIDE_LOCAL = ("LEANETL_BQ_PROJECT", "LEANETL_VAN_SIGNUPS_TABLE")


def detect_environment(environ: Mapping[str, str] | None = None) -> Environment:
    """Explicit ``LEANETL_ENV`` wins; on Dagster+ the deployment decides; otherwise local."""
    environ = os.environ if environ is None else environ
    explicit = environ.get("LEANETL_ENV", "").strip().lower()
    if explicit:
        try:
            return Environment(explicit)
        except ValueError:
            raise ValueError(
                f"LEANETL_ENV={explicit!r} is not one of local, branch, prod"
            ) from None
    if environ.get("DAGSTER_CLOUD_IS_BRANCH_DEPLOYMENT") == "1":
        return Environment.BRANCH
    if environ.get("DAGSTER_CLOUD_DEPLOYMENT_NAME"):
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
    bq_emulator_host: str
    google_key_is_text: bool
    dataset_suffix: str
    mongo_db_prefix: str
    freshness_hours: int
    source_max_drop: float
    quarantine_max_share: float
    sensor_catchup_days: int
    retries: int
    retry_delay_seconds: float
    smtp_host: str
    smtp_port: int
    smtp_tls: str
    smtp_user: str
    alert_from: str
    alert_to: tuple[str, ...]
    ui_url: str
    aws_region: str
    secrets_set: frozenset[str]  # names of the secret variables that have a value (never values)
    # The sample APIs stand in (local only, asked for: see LEANETL_SAMPLE_DATA).
    sample_data: bool
    dev_cli: bool  # running under `dagster dev` / `dg dev` (Dagster sets DAGSTER_IS_DEV_CLI)
    # The lake as prod names it, without a branch's prefix: sources are read under it, and a
    # domain's own default locations start from it (then ``branched``).
    base_lake_url: str
    # Each domain's settings by its name (leanetl.domains), read as ``settings.<domain>``.
    domains: Mapping[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        found = self.__dict__.get("domains", {})
        if name in found:
            return found[name]
        raise AttributeError(f"{type(self).__name__} has no setting or domain {name!r}")

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

    def sources_url(self, domain: str) -> str:
        """Where a domain's dropped source files are by default: the local home's sources/
        folder, or the lake's sources/ prefix (prod's: a branch reads what prod reads)."""
        if self.is_local:
            return str(self.sources_dir / domain)
        return f"{self.base_lake_url}/sources/{domain}"

    def branched(self, url: str) -> str:
        """Where this deployment writes what prod writes at ``url`` (``branch_url``)."""
        return branch_url(url, self.dataset_suffix)


def _home(values: EnvValues) -> Path:
    home = Path(values.text("LEANETL_HOME")).expanduser()
    return home if home.is_absolute() else (Path.cwd() / home).resolve()


def _start_date(values: EnvValues) -> dt.date:
    try:
        return dt.date.fromisoformat(values.text("LEANETL_START_DATE"))
    except ValueError as exc:
        raise ValueError(f"LEANETL_START_DATE is not a YYYY-MM-DD date: {exc}") from None


def _branch_names(values: EnvValues, env: Environment, pr: str) -> tuple[str, str]:
    """(dataset suffix, Mongo database prefix): a branch deployment's default from its PR. A
    branch without both has no namespace of its own: refused, it would write into prod's."""
    suffix = values.text("LEANETL_DATASET_SUFFIX")
    prefix = values.text("LEANETL_MONGO_DB_PREFIX")
    if env is Environment.BRANCH:
        suffix = suffix or (f"_pr{pr}" if pr else "")
        prefix = prefix or (f"pr{pr}_" if pr else "")
        if not (suffix and prefix):
            raise ValueError(
                "a branch deployment needs a namespace of its own: DAGSTER_CLOUD_PULL_REQUEST_ID, "
                "or both LEANETL_DATASET_SUFFIX and LEANETL_MONGO_DB_PREFIX"
            )
    return suffix, prefix


def branch_url(url: str, suffix: str) -> str:
    """Where a branch deployment writes instead of ``url``: ``<url>/branches/<suffix>`` (the
    dataset suffix without its leading ``_``); prod and local (no suffix) write at ``url``."""
    return f"{url.rstrip('/')}/branches/{suffix.lstrip('_')}" if suffix else url


def _sample_data(values: EnvValues, env: Environment, home: Path) -> bool:
    """Asked for explicitly, or by preparing this local home with the sample; never elsewhere."""
    if values.is_set("LEANETL_SAMPLE_DATA"):
        asked = values.flag("LEANETL_SAMPLE_DATA")
        if asked and env is not Environment.LOCAL:
            raise ValueError(f"LEANETL_SAMPLE_DATA is for the local environment, not {env}")
        return asked
    return env is Environment.LOCAL and (home / SAMPLE_MARKER).exists()


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read every setting from ``environ`` (default: this process's environment; no caching,
    tests change it)."""
    environ = os.environ if environ is None else environ
    values = EnvValues(environ, settings_doc())
    env = detect_environment(environ)
    home = _home(values)
    lake = values.text("LEANETL_LAKE_URL", default=str(home / "lake"))
    missing = [
        n for n in NEEDED_OUTSIDE_LOCAL if env is not Environment.LOCAL and not values.is_set(n)
    ]
    if missing:
        raise ValueError(f"{env} environment needs {', '.join(missing)}")
    suffix, prefix = _branch_names(
        values, env, environ.get("DAGSTER_CLOUD_PULL_REQUEST_ID", "").strip()
    )
    smtp_tls = values.text("LEANETL_SMTP_TLS").lower()
    if smtp_tls not in ("starttls", "ssl", "none"):
        raise ValueError(f"LEANETL_SMTP_TLS={smtp_tls!r} is not starttls, ssl or none")
    core = Settings(
        env=env,
        home=home,
        timezone=values.timezone("LEANETL_TIMEZONE"),
        start_date=_start_date(values),
        lake_url=branch_url(lake, suffix),
        s3_endpoint_url=values.text("LEANETL_S3_ENDPOINT_URL"),
        bq_project=values.text("LEANETL_BQ_PROJECT"),
        bq_location=values.text("LEANETL_BQ_LOCATION"),
        bq_emulator_host=values.text("BIGQUERY_EMULATOR_HOST"),
        # A key pasted as JSON (Dagster+ Serverless) rather than a path: only its shape is read.
        google_key_is_text=values.text("GOOGLE_APPLICATION_CREDENTIALS").startswith("{"),
        dataset_suffix=suffix,
        mongo_db_prefix=prefix,
        freshness_hours=values.integer("LEANETL_FRESHNESS_HOURS", low=1),
        source_max_drop=values.share("LEANETL_SOURCE_MAX_DROP"),
        quarantine_max_share=values.share("LEANETL_QUARANTINE_MAX_SHARE"),
        sensor_catchup_days=values.integer("LEANETL_SENSOR_CATCHUP_DAYS", low=1),
        retries=values.integer("LEANETL_RETRIES", low=0),
        retry_delay_seconds=values.number("LEANETL_RETRY_DELAY_SECONDS"),
        smtp_host=values.text("LEANETL_SMTP_HOST"),
        smtp_port=values.integer("LEANETL_SMTP_PORT"),
        smtp_tls=smtp_tls,
        smtp_user=values.text("LEANETL_SMTP_USER"),
        alert_from=values.text("LEANETL_ALERT_FROM"),
        alert_to=values.words("LEANETL_ALERT_TO"),
        ui_url=values.text("LEANETL_UI_URL").rstrip("/"),
        aws_region=values.text("AWS_REGION"),
        secrets_set=frozenset(n for n in secret_names() if values.is_set(n)),
        sample_data=_sample_data(values, env, home),
        dev_cli=bool(environ.get("DAGSTER_IS_DEV_CLI")),
        base_lake_url=lake,
    )
    return replace(core, domains={d.name: d.read(values, core) for d in domains()})


@cache
def settings() -> Settings:
    """The settings of this process (read once)."""
    return load_settings()
