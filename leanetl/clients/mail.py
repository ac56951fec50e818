"""Send a plain-text e-mail through SMTP (STARTTLS, implicit TLS or none)."""

import smtplib
import ssl
from email.message import EmailMessage


def send_mail(
    host: str,
    port: int,
    tls: str,
    user: str,
    password: str,
    sender: str,
    recipients: list[str],
    subject: str,
    body: str,
    timeout: float = 30.0,
) -> None:
    """Deliver one message; raises ``smtplib.SMTPException``/``OSError`` when it cannot."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(body)
    context = ssl.create_default_context()
    if tls == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        server = smtplib.SMTP(host, port, timeout=timeout)
    with server:
        if tls == "starttls":
            server.starttls(context=context)
        if user:
            server.login(user, password)
        server.send_message(message)
