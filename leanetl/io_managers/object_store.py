"""One object store over a local directory, ``s3://`` (boto3) or ``gs://`` (google-cloud-storage).

Every write is a single whole object: on S3 and GCS an object appears complete or not at all; on a
local disk the bytes go to a temporary file in the same directory and are renamed into place. A
reader therefore never sees a half-written file, and a failed write leaves the old object intact.
"""

import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import dagster as dg
from dagster_aws.s3 import S3Resource
from dagster_gcp import GCSResource
from pydantic import PrivateAttr

from leanetl.io_managers.local_files import TEMP_PREFIX, write_atomically
from leanetl.lib.keys import checked_key


@dataclass(frozen=True)
class StoredObject:
    key: str
    modified: dt.datetime
    size: int
    etag: str = ""  # S3's ETag, GCS's etag, or size-mtime_ns of a local file


def _is_not_found(exc: Exception) -> bool:
    code = getattr(exc, "code", None)  # google.api_core NotFound
    if code == 404:
        return True
    error = getattr(exc, "response", {}) or {}
    return isinstance(error, dict) and error.get("Error", {}).get("Code") in ("NoSuchKey", "404")


class ObjectStore(dg.ConfigurableResource):
    """The lake: ``url`` is a directory, ``s3://bucket/prefix`` or ``gs://bucket/prefix``."""

    url: str
    s3_endpoint_url: str = ""
    gcp_project: str = ""
    # The service-account key as JSON text (an EnvVar); '' lets Google's client find a key file.
    google_key_json: str = ""

    _client: Any = PrivateAttr(default=None)

    # -- addressing -------------------------------------------------------------------------
    @property
    def scheme(self) -> str:
        scheme = urlparse(self.url).scheme
        return scheme if scheme in ("s3", "gs") else "file"

    @property
    def _bucket_and_prefix(self) -> tuple[str, str]:
        parsed = urlparse(self.url)
        return parsed.netloc, parsed.path.strip("/")

    def _object_name(self, key: str) -> str:
        _, prefix = self._bucket_and_prefix
        key = checked_key(key)
        return f"{prefix}/{key}" if prefix else key

    def _local_path(self, key: str) -> Path:
        # checked_key: no '..' segment can lead out of the store's directory.
        return Path(self.url).expanduser().resolve() / checked_key(key)

    def uri(self, key: str) -> str:
        """Where an object lives, as its store names it (``s3://…``, ``gs://…`` or a path)."""
        if self.scheme == "file":
            return str(self._local_path(key))
        bucket, _ = self._bucket_and_prefix
        return f"{self.scheme}://{bucket}/{self._object_name(key)}"

    def browser_url(self, key: str) -> str:
        """A URL a person can open: ``file://`` locally, the cloud console otherwise."""
        if self.scheme == "file":
            return self._local_path(key).as_uri()
        bucket, _ = self._bucket_and_prefix
        name = self._object_name(key)
        if self.scheme == "gs":
            return f"https://storage.cloud.google.com/{bucket}/{name}"
        return f"https://{bucket}.s3.amazonaws.com/{name}"

    def public_url(self, key: str) -> str:
        """The object's direct address (opens for anyone where the bucket is public)."""
        if self.scheme == "gs":
            bucket, _ = self._bucket_and_prefix
            return f"https://storage.googleapis.com/{bucket}/{self._object_name(key)}"
        return self.browser_url(key)

    # -- clients ----------------------------------------------------------------------------
    def _s3(self) -> Any:
        if self._client is None:
            self._client = S3Resource(endpoint_url=self.s3_endpoint_url or None).get_client()
        return self._client

    def _gcs_bucket(self) -> Any:
        if self._client is None:
            bucket, _ = self._bucket_and_prefix
            if self.google_key_json:
                from google.cloud import storage

                from leanetl.clients.google_credentials import service_account_credentials

                credentials = service_account_credentials(self.google_key_json)
                client = storage.Client(project=self.gcp_project or None, credentials=credentials)
            else:
                client = GCSResource(project=self.gcp_project or None).get_client()
            self._client = client.bucket(bucket)
        return self._client

    # -- operations -------------------------------------------------------------------------
    def put_bytes(
        self, key: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> str:
        """Write one whole object atomically; returns its URI."""
        if self.scheme == "file":
            write_atomically(self._local_path(key), data)
        elif self.scheme == "s3":
            bucket, _ = self._bucket_and_prefix
            self._s3().put_object(
                Bucket=bucket, Key=self._object_name(key), Body=data, ContentType=content_type
            )
        else:
            blob = self._gcs_bucket().blob(self._object_name(key))
            blob.upload_from_string(data, content_type=content_type)
        return self.uri(key)

    def get_bytes(self, key: str) -> bytes:
        """Read one object; a missing one raises ``FileNotFoundError`` naming its URI."""
        try:
            if self.scheme == "file":
                return self._local_path(key).read_bytes()
            if self.scheme == "s3":
                bucket, _ = self._bucket_and_prefix
                response = self._s3().get_object(Bucket=bucket, Key=self._object_name(key))
                return response["Body"].read()
            return self._gcs_bucket().blob(self._object_name(key)).download_as_bytes()
        except FileNotFoundError:
            raise
        except Exception as exc:
            if _is_not_found(exc):
                raise FileNotFoundError(f"no object at {self.uri(key)}") from exc
            raise

    @contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        """A local file with the object's bytes, streamed (not held in memory): the file itself
        for a directory store, else a temporary download removed afterwards."""
        if self.scheme == "file":
            path = self._local_path(key)
            if not path.is_file():
                raise FileNotFoundError(f"no object at {path}")
            yield path
            return
        with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as folder:
            target = Path(folder) / "object"
            if self.scheme == "s3":
                bucket, _ = self._bucket_and_prefix
                self._s3().download_file(bucket, self._object_name(key), str(target))
            else:
                self._gcs_bucket().blob(self._object_name(key)).download_to_filename(str(target))
            yield target

    def exists(self, key: str) -> bool:
        return key.strip("/") in set(self.list_keys(key))

    def _local_files(self, prefix: str) -> Iterator[tuple[str, Path]]:
        """(key, path) of the files under ``prefix`` in a local store. Symbolic links are not
        followed (one could lead out of the store); a key the store could not write (a
        backslash, say) is listed as it is, for the reader to refuse it alone."""
        root = self._local_path("")
        base = root / prefix if prefix else root
        walk_from = base if base.is_dir() else base.parent
        if not walk_from.is_dir() or not walk_from.resolve().is_relative_to(root):
            return
        for path in sorted(walk_from.rglob("*")):
            if path.is_symlink() or not path.is_file() or path.name.startswith(TEMP_PREFIX):
                continue
            inside = path.relative_to(root).parents
            if any((root / parent).is_symlink() for parent in inside if str(parent) != "."):
                continue
            key = path.relative_to(root).as_posix()
            if key.startswith(prefix):
                yield key, path

    def list_keys(self, prefix: str) -> Iterator[str]:
        """Keys under ``prefix`` (relative to the store root), skipping in-flight temp files."""
        prefix = prefix.strip("/")
        if self.scheme == "file":
            # Same semantics as the object stores: a plain string prefix, not a directory.
            yield from (key for key, _ in self._local_files(prefix))
            return
        _, store_prefix = self._bucket_and_prefix
        strip = len(store_prefix) + 1 if store_prefix else 0
        full = self._object_name(prefix)
        if self.scheme == "s3":
            bucket, _ = self._bucket_and_prefix
            pages = self._s3().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=full)
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"][strip:]
        else:
            for blob in self._gcs_bucket().client.list_blobs(self._gcs_bucket(), prefix=full):
                yield blob.name[strip:]

    def list_objects(self, prefix: str) -> list[StoredObject]:
        """Objects under ``prefix`` with their last-modified time (UTC), oldest first."""
        prefix = prefix.strip("/")
        found: list[StoredObject] = []
        if self.scheme == "file":
            for key, path in self._local_files(prefix):
                stat = path.stat()
                modified = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC)
                etag = f"{stat.st_size}-{stat.st_mtime_ns}"
                found.append(StoredObject(key, modified, stat.st_size, etag))
        elif self.scheme == "s3":
            bucket, store_prefix = self._bucket_and_prefix
            strip = len(store_prefix) + 1 if store_prefix else 0
            pages = (
                self._s3()
                .get_paginator("list_objects_v2")
                .paginate(Bucket=bucket, Prefix=self._object_name(prefix))
            )
            for page in pages:
                for item in page.get("Contents", []):
                    found.append(
                        StoredObject(
                            item["Key"][strip:],
                            item["LastModified"],
                            item["Size"],
                            item.get("ETag", "").strip('"'),
                        )
                    )
        else:
            _, store_prefix = self._bucket_and_prefix
            strip = len(store_prefix) + 1 if store_prefix else 0
            bucket = self._gcs_bucket()
            for blob in bucket.client.list_blobs(bucket, prefix=self._object_name(prefix)):
                found.append(
                    StoredObject(blob.name[strip:], blob.updated, blob.size or 0, blob.etag or "")
                )
        return sorted(found, key=lambda o: (o.modified, o.key))

    def delete(self, key: str) -> None:
        if self.scheme == "file":
            self._local_path(key).unlink(missing_ok=True)
        elif self.scheme == "s3":
            bucket, _ = self._bucket_and_prefix
            self._s3().delete_object(Bucket=bucket, Key=self._object_name(key))
        else:
            self._gcs_bucket().blob(self._object_name(key)).delete()
