"""An SMTP server on loopback (aiosmtpd) that keeps the messages it receives."""

import email
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from leanetl_tests.fakes.processes import free_port


@dataclass
class Inbox:
    host: str
    port: int
    user: str
    password: str
    messages: list[Message] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.user
            and auth_data.password.decode() == self.password
        )
        if ok:
            self.logins.append(self.user)
        return AuthResult(success=ok)


@contextmanager
def smtp_server(user: str = "alerts", password: str = "s3cret-pw") -> Iterator[Inbox]:
    """Accepts mail on 127.0.0.1 from ``user``/``password`` (AUTH LOGIN/PLAIN without TLS)."""
    inbox = Inbox("127.0.0.1", free_port(), user, password)
    controller = Controller(
        inbox,
        hostname=inbox.host,
        port=inbox.port,
        authenticator=inbox.authenticate,
        auth_require_tls=False,
        auth_required=True,
    )
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
