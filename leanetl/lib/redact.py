"""Scrub secrets from text before it leaves a client: exception messages, logs, metadata, e-mail.

Two nets, both applied by ``redact``:

- by value: the current values of every setting documented as a secret (``leanetl.settings``'
  one list: tokens, passwords, keys, service-account JSON and its private key) wherever they
  appear, also URL-encoded;
- by shape: ``access_token=…``/``password=…``-style URL parameters, ``Authorization`` headers,
  ``user:password@`` in URIs and PEM private keys, whatever their value.
"""

import json
import os
import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus

from leanetl.settings_doc import secret_names

MASK = "***"

# Shorter values would mask ordinary words and numbers.
MIN_SECRET_LENGTH = 6

_PARAMETER = re.compile(
    r"(?i)\b((?:access_token|appsecret_proof|client_secret|password|passwd|pwd|secret|token|"
    r"api_key|apikey|key|signature|x-amz-signature|x-amz-security-token|x-goog-signature)"
    r"(?:=|%3D))[^&\s'\"<>]+"
)
_AUTH_HEADER = re.compile(
    r"(?i)\b(authorization['\"]?\s*[:=]\s*['\"]?(?:bearer|oauth|basic)?\s*)[^\s'\",}]+"
)
# A signed URL's whole query string (S3, GCS, Azure, CloudFront): its signature and credential.
_SIGNED_QUERY = re.compile(
    r"(?i)(\b[a-z][a-z0-9+.-]*://[^\s?'\"<>]+\?)[^\s'\"<>]*"
    r"(?:signature|x-amz-credential|x-goog-credential|x-amz-security-token|[?&]sig=|key-pair-id)"
    r"[^\s'\"<>]*"
)
_URI_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/@\s'\"]+:)[^@\s'\"/]+@")
_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.DOTALL
)
_ESCAPED_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----(?:\\n|[^-])*?-----END [A-Z ]*PRIVATE KEY-----"
)


def variants(value: str) -> Iterable[str]:
    """A secret as it may appear: itself, URL-encoded, and the parts of a service-account key."""
    yield value
    yield quote(value, safe="")
    yield quote_plus(value)
    if value.lstrip().startswith("{"):
        try:
            info = json.loads(value)
        except ValueError:
            return
        if isinstance(info, dict):
            for field in ("private_key", "private_key_id", "client_secret", "refresh_token"):
                part = info.get(field)
                if isinstance(part, str):
                    yield part
                    yield json.dumps(part)[1:-1]  # as it looks inside JSON, with \n escaped


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """The values of every secret setting (``settings_doc.secret_names``, the one list) set in
    ``environ`` (this process's by default), as they may appear in text, longest first."""
    environ = os.environ if environ is None else environ
    found: set[str] = set()
    for name in secret_names():
        value = (environ.get(name) or "").strip()
        if len(value) >= MIN_SECRET_LENGTH:
            found.update(v for v in variants(value) if len(v) >= MIN_SECRET_LENGTH)
    return sorted(found, key=len, reverse=True)


def redact(text: object, extra_secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret masked as ``***`` (by value, then by shape)."""
    out = str(text)
    for value in [*secret_values(), *(s for s in extra_secrets if len(s) >= MIN_SECRET_LENGTH)]:
        out = out.replace(value, MASK)
    out = _PRIVATE_KEY.sub(MASK, out)
    out = _ESCAPED_PRIVATE_KEY.sub(MASK, out)
    out = _SIGNED_QUERY.sub(lambda m: m.group(1) + MASK, out)
    out = _PARAMETER.sub(lambda m: m.group(1) + MASK, out)
    out = _AUTH_HEADER.sub(lambda m: m.group(1) + MASK, out)
    return _URI_PASSWORD.sub(lambda m: m.group(1) + MASK + "@", out)


class RedactedError(Exception):
    """An outside system's error with secrets scrubbed; the original is not chained."""


def redacted_error(prefix: str, exc: BaseException) -> RedactedError:
    """``prefix: <ExceptionType>: <message>`` with secrets removed, to raise ``from None``."""
    return RedactedError(redact(f"{prefix}: {type(exc).__name__}: {exc}"))
