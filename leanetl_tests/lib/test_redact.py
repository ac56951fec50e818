import json

import pytest

from leanetl.lib.redact import MASK, redact, redacted_error, secret_values


def test_secrets_in_the_environment_are_masked_by_value(monkeypatch) -> None:
    monkeypatch.setenv("LEANETL_FB_ACCESS_TOKEN", "EAAB/fb+token=1")
    monkeypatch.setenv("LEANETL_SMTP_PASSWORD", "s3cret-mail")
    text = (
        "HTTPSConnectionPool: Max retries exceeded with url: /v26.0/act_1/insights?"
        "limit=500&access_token=EAAB%2Ffb%2Btoken%3D1 (Caused by ...), login s3cret-mail"
    )
    out = redact(text)
    assert "EAAB" not in out and "s3cret-mail" not in out
    assert "access_token=***" in out and "limit=500" in out


def test_shapes_are_masked_whatever_the_value(monkeypatch) -> None:
    for name in ("LEANETL_FB_ACCESS_TOKEN", "LEANETL_MONGO_URI", "LEANETL_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    out = redact(
        "GET https://graph.example/me?fields=id&access_token=abcdef123&appsecret_proof=99ff "
        "mongodb+srv://leanetl:hunter2pass@cluster0.example.net/db "
        "headers={'Authorization': 'Bearer ya29.tok-en'} "
        "-----BEGIN PRIVATE KEY-----\nMIIEv\nQ==\n-----END PRIVATE KEY-----"
    )
    for secret in ("abcdef123", "99ff", "hunter2pass", "ya29.tok-en", "MIIEv"):
        assert secret not in out, out
    assert "fields=id" in out and "cluster0.example.net/db" in out and "leanetl:" in out


def test_service_account_json_and_its_private_key_are_masked(monkeypatch) -> None:
    key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\n-----END PRIVATE KEY-----\n"
    info = {"type": "service_account", "private_key_id": "0123456789abcdef", "private_key": key}
    monkeypatch.setenv("LEANETL_LEADS_SHEETS_CREDENTIALS", json.dumps(info))
    assert key in secret_values()
    out = redact(f"bad key {json.dumps(key)} id 0123456789abcdef")
    assert "MIIEvQIBADAN" not in out and "0123456789abcdef" not in out


def test_short_values_and_ordinary_text_are_left_alone(monkeypatch) -> None:
    monkeypatch.setenv("LEANETL_SMTP_PASSWORD", "abc")  # too short to mask safely
    text = "campaign cmp-001 spend 12.50 partition_key=2025-03-14 abc"
    assert redact(text) == text


def test_redacted_error_keeps_the_type_and_drops_the_secret(monkeypatch) -> None:
    monkeypatch.setenv("LEANETL_MONGO_URI", "mongodb://app:pa55word-x@db.example:27017/")
    error = redacted_error(
        "MongoDB", ConnectionError("mongodb://app:pa55word-x@db.example:27017/ refused")
    )
    assert str(error) == f"MongoDB: ConnectionError: {MASK} refused"
    with pytest.raises(type(error)):
        raise error from None
