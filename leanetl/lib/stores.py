"""The object store as leanetl's I/O helpers use it: a small protocol, so a helper's loop over
objects runs the same against the lake (``io_managers.object_store.ObjectStore``: a directory,
S3 or GCS) and against the in-memory store of a unit test."""

from collections.abc import Iterable
from typing import Protocol


class Objects(Protocol):
    def get_bytes(self, key: str) -> bytes: ...

    def put_bytes(
        self, key: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> str: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def list_keys(self, prefix: str) -> Iterable[str]: ...

    def uri(self, key: str) -> str: ...
