"""Throwaway Google service-account keys for tests (a fresh RSA key, never a real account)."""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from leanetl_tests.fakes.http import Request, Response

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"


def service_account_info(
    token_uri: str = GOOGLE_TOKEN_URI, project_id: str = "leanetl-test"
) -> dict[str, str]:
    """A service-account key whose token endpoint is ``token_uri``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": "0" * 40,
        "private_key": pem,
        "client_email": f"leanetl@{project_id}.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": token_uri,
    }


def token_endpoint(request: Request) -> Response:
    """A ``FakeServer`` route answering any OAuth token request (the JWT is not checked)."""
    return Response(200, {"access_token": "local", "expires_in": 3600, "token_type": "Bearer"})
