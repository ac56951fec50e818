import uuid
from pathlib import Path

import boto3
import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from leanetl.io_managers.object_store import ObjectStore


@pytest.fixture(params=["local", "s3", "gcs"])
def lake(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> ObjectStore:
    """The same ObjectStore over a directory, a moto S3 server and fake-gcs-server."""
    bucket = f"lake-{uuid.uuid4().hex[:8]}"
    if request.param == "local":
        return ObjectStore(url=str(tmp_path / "lake"))
    if request.param == "s3":
        endpoint = request.getfixturevalue("moto_endpoint")
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(
            Bucket=bucket
        )
        return ObjectStore(url=f"s3://{bucket}/leanetl", s3_endpoint_url=endpoint)
    endpoint = request.getfixturevalue("fake_gcs_endpoint")
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", endpoint)
    storage.Client(project="test", credentials=AnonymousCredentials()).create_bucket(bucket)
    return ObjectStore(url=f"gs://{bucket}/leanetl", gcp_project="test")
