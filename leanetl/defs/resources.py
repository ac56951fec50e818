"""Dagster resources over leanetl's clients (configured in ``leanetl/resources.py``)."""

import datetime as dt
import smtplib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
from pydantic import Field

from leanetl.clients.chatfuel import ChatfuelClient, ChatfuelError, Reply, http_transport
from leanetl.clients.facebook import GraphClient, InsightsError, insights, make_api
from leanetl.clients.glue import GlueCatalog
from leanetl.clients.mail import send_mail
from leanetl.clients.sheets import SheetValues, load_credentials, read_worksheet
from leanetl.lib.redact import redact, redacted_error
from leanetl.sample.campaigns import sample_insights
from leanetl.sample.chatfuel_api import SampleBot


class GoogleSheetsResource(dg.ConfigurableResource):
    """Reads worksheets with gspread as a service account; the key JSON comes from EnvVar."""

    credentials: str = Field(default="", description="service-account JSON text or path")
    api_url: str = "https://sheets.googleapis.com"
    retries: int = 4
    backoff_seconds: float = 2.0

    def read(self, spreadsheet_key: str, worksheet: str = "") -> SheetValues:
        return read_worksheet(
            load_credentials(self.credentials),
            spreadsheet_key,
            worksheet,
            api_url=self.api_url,
            retries=self.retries,
            backoff_seconds=self.backoff_seconds,
        )


class Mailer(dg.ConfigurableResource):
    """SMTP settings for alerts; the password comes from EnvVar."""

    host: str = ""
    port: int = 587
    tls: str = "starttls"
    user: str = ""
    password: str = ""
    sender: str = "leanetl@localhost"
    recipients: list[str] = []

    @property
    def configured(self) -> bool:
        return bool(self.host and self.recipients)

    def send(self, subject: str, body: str) -> None:
        """Deliver the alert with every secret scrubbed from its subject and body."""
        try:
            send_mail(
                self.host,
                self.port,
                self.tls,
                self.user,
                self.password,
                self.sender,
                list(self.recipients),
                redact(subject, [self.password]),
                redact(body, [self.password]),
            )
        except (smtplib.SMTPException, OSError) as exc:
            raise redacted_error(f"SMTP {self.host}:{self.port}", exc) from None


@dataclass
class InsightsFetch:
    """Rows of one insights request and what it took to get them."""

    rows: list[dict[str, Any]]
    calls: int = 0
    retried: list[int] = field(default_factory=list)
    waited_seconds: float = 0.0
    used_async: bool = False


class FacebookInsightsResource(dg.ConfigurableResource):
    """Ads insights through the facebook-business SDK, or the deterministic sample locally.

    The token comes from EnvVar. ``sample`` is only ever set by the local environment without a
    token; production without a token fails on the first request instead of inventing numbers.
    """

    access_token: str = Field(default="", description="Marketing API token (EnvVar)")
    graph_url: str = "https://graph.facebook.com"
    sample: bool = False
    retries: int = 5
    backoff_seconds: float = 5.0
    usage_pause_percent: float = 90.0
    poll_seconds: float = 10.0
    max_polls: int = 90
    async_after_days: int = 14

    def fetch(
        self,
        account_id: str,
        params: dict[str, Any],
        catalog: Mapping[str, Mapping[str, str]],
    ) -> InsightsFetch:
        """Every row of ``params`` for ad account ``account_id`` (digits, without ``act_``).

        ``catalog`` (Facebook campaign id -> name, account and dates) only feeds the sample.
        """
        if self.sample:
            return InsightsFetch(sample_insights(params, catalog))
        if not self.access_token:
            raise InsightsError("LEANETL_FB_ACCESS_TOKEN is not set: no Graph API access")
        time_range = params.get("time_range") or {}
        days = (
            dt.date.fromisoformat(time_range["until"]) - dt.date.fromisoformat(time_range["since"])
        ).days + 1
        use_async = params.get("time_increment") == 1 and days > self.async_after_days
        client = GraphClient(
            make_api(self.access_token, self.graph_url),
            retries=self.retries,
            backoff_seconds=self.backoff_seconds,
            usage_pause_percent=self.usage_pause_percent,
        )
        rows = insights(
            client,
            account_id,
            params,
            use_async=use_async,
            poll_seconds=self.poll_seconds,
            max_polls=self.max_polls,
        )
        return InsightsFetch(
            rows, client.calls, list(client.retried), client.waited_seconds, use_async
        )


class GlueResource(dg.ConfigurableResource):
    """The AWS Glue Data Catalog (credentials from the standard boto3 chain)."""

    database: str = ""
    region: str = "us-east-1"
    endpoint_url: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.database)

    def catalog(self) -> GlueCatalog:
        return GlueCatalog(self.region, self.endpoint_url)


class ChatfuelResource(dg.ConfigurableResource):
    """A Chatfuel bot's GraphQL API (token from EnvVar), or the sample bot (``sample``: local
    runs without a token)."""

    token: str = Field(default="", description="Chatfuel API token")
    graphql_url: str = "https://panel.chatfuel.com/graphql"
    bot_id: str = ""
    platforms: list[str] = ["whatsapp"]
    backoff_seconds: float = 2.0
    poll_seconds: float = 10.0
    max_polls: int = 90
    max_wait_seconds: float = 300.0
    call_seconds: float = 120.0
    deadline_seconds: float = 7200.0
    sample: bool = False

    @property
    def configured(self) -> bool:
        return self.sample or bool(self.token)

    def client(self, day: dt.date) -> ChatfuelClient:
        """A client for the bot; the sample bot stands as it was at the end of ``day``."""
        if self.sample:
            bot = SampleBot(day)

            def transport(payload: dict[str, Any]) -> Reply:
                return 200, bot.execute(payload), {}

        elif not self.token:
            raise ChatfuelError("no Chatfuel token (LEANETL_CHATFUEL_TOKEN) is set")
        elif not self.bot_id:
            raise ChatfuelError("LEANETL_CHATFUEL_BOT_ID is not set")
        else:
            transport = http_transport(self.graphql_url, self.token, self.call_seconds)
        return ChatfuelClient(
            transport=transport,
            bot_id=self.bot_id or "sample",
            platforms=tuple(self.platforms),
            backoff_seconds=self.backoff_seconds,
            max_wait_seconds=self.max_wait_seconds,
            deadline=time.monotonic() + self.deadline_seconds,
        )
