"""Google credentials given as text where Google's libraries want a file.

Dagster+ Serverless keeps secrets as environment variables, while google-auth (BigQuery, GCS)
and dbt-bigquery read ``GOOGLE_APPLICATION_CREDENTIALS`` as a *path*. When the variable holds the
service-account key's JSON itself, it is written once per process to a file only this user can
read, and the variable is pointed at that file (child processes such as dbt inherit it).
"""

import json
import os
import tempfile
from collections.abc import MutableMapping
from pathlib import Path

VARIABLE = "GOOGLE_APPLICATION_CREDENTIALS"


def key_file_from_text(environ: MutableMapping[str, str] = os.environ) -> Path | None:
    """The file written for a JSON key in ``environ`` (None when it holds a path or nothing)."""
    text = environ.get(VARIABLE, "").strip()
    if not text.startswith("{"):
        return None
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        # Never echo the text: it is a private key.
        raise ValueError(
            f"{VARIABLE} looks like JSON but does not parse (line {exc.lineno}); "
            "paste the service-account key file's whole content"
        ) from None
    handle, name = tempfile.mkstemp(prefix="leanetl-google-key-", suffix=".json")  # mode 0600
    with os.fdopen(handle, "w") as out:
        out.write(text)
    environ[VARIABLE] = name
    return Path(name)
