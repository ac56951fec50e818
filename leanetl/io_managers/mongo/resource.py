"""The Mongo resource: a pymongo client in prod, the embedded store locally, one database per
domain reached through ``MongoStore.session(domain)``."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import PrivateAttr
from pymongo.errors import PyMongoError

from leanetl.io_managers.mongo.embedded import embedded_session
from leanetl.lib.redact import redacted_error


class MongoStore(dg.ConfigurableResource):
    """A pymongo ``MongoClient`` for ``uri``, or the embedded store under ``embedded_dir``."""

    uri: str = ""
    embedded_dir: str = ""
    db_prefix: str = ""

    _client: Any = PrivateAttr(default=None)

    def get_client(self) -> Any:
        """The (cached) pymongo client for ``uri``; the embedded store is reached by sessions."""
        if not self.uri:
            raise ValueError(
                "MongoStore.get_client needs a uri (LEANETL_MONGO_URI); use session() for the "
                "embedded store"
            )
        if self._client is None:
            import pymongo

            self._client = pymongo.MongoClient(self.uri, tz_aware=True)
        return self._client

    @contextmanager
    def session(self, domain: str, source: bool = False) -> Iterator[Any]:
        """The pymongo-compatible database ``<db_prefix><domain>`` for the ``with`` block; with
        ``source`` the team's own ``<domain>`` database, read (never written) by every
        deployment, a branch's included."""
        name = domain if source else f"{self.db_prefix}{domain}"
        if self.uri:
            try:
                yield self.get_client()[name]
            except PyMongoError as exc:
                # Server errors may quote the URI, credentials included: scrubbed, not chained.
                raise redacted_error(f"MongoDB database {name}", exc) from None
        elif self.embedded_dir:
            with embedded_session(Path(self.embedded_dir), name) as database:
                yield database
        else:
            raise ValueError("MongoStore needs a uri (LEANETL_MONGO_URI) or an embedded_dir")
