"""Dagster resources over leanetl's clients (configured in ``leanetl/resources.py``)."""

import dagster as dg
from pydantic import Field

from leanetl.clients.mail import send_mail
from leanetl.clients.sheets import SheetValues, load_credentials, read_worksheet


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
        send_mail(
            self.host,
            self.port,
            self.tls,
            self.user,
            self.password,
            self.sender,
            list(self.recipients),
            subject,
            body,
        )
