"""MongoDB: a pymongo client in prod, an embedded pymongo-compatible store locally.

- ``resource``: ``MongoStore``, the resource every asset reaches a database through;
- ``embedded``: the local store (mongomock-ng, saved as one BSON snapshot per database);
- ``upsert_documents`` (``lib/mongo_upserts.py``): batched upserts that skip unchanged documents;
- ``io_manager``: ``MongoIOManager``, partitions as committed batches of documents.
"""

from leanetl.io_managers.mongo.embedded import embedded_client, embedded_session
from leanetl.io_managers.mongo.io_manager import MongoIOManager
from leanetl.io_managers.mongo.resource import MongoStore
from leanetl.lib.mongo_upserts import UpsertError, UpsertStats, upsert_documents

__all__ = [
    "MongoIOManager",
    "MongoStore",
    "UpsertError",
    "UpsertStats",
    "embedded_client",
    "embedded_session",
    "upsert_documents",
]
