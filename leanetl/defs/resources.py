"""The resources every domain shares (configured in ``leanetl/resources.py``); each domain's own
are in its package (``leanetl/defs/<domain>/resources.py``)."""

import smtplib

import dagster as dg

from leanetl.clients.mail import send_mail
from leanetl.lib.redact import redact, redacted_error


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
