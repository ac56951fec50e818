"""Google service-account credentials from a key's JSON text.

``GOOGLE_APPLICATION_CREDENTIALS`` is usually a key file's path, which Google's clients find on
their own; Dagster+ Serverless keeps secrets as text, so there the variable holds the key itself,
handed to the BigQuery and GCS clients through this function (and to dbt as ``keyfile_json``).
"""

import json
from typing import Any


def service_account_credentials(key_json: str) -> Any:
    """Credentials from a service-account key's JSON text (never echoed in an error)."""
    from google.oauth2 import service_account

    try:
        info = json.loads(key_json)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"GOOGLE_APPLICATION_CREDENTIALS holds text that is not JSON (line {exc.lineno}); "
            "paste the service-account key file's whole content, or give its path"
        ) from None
    scopes = ["https://www.googleapis.com/auth/cloud-platform"]
    return service_account.Credentials.from_service_account_info(info, scopes=scopes)
