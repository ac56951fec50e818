"""A MongoDB server on loopback that speaks the wire protocol (OP_MSG, and OP_QUERY for the
handshake) to the real pymongo client, with mongomock-ng executing each command.

No ``mongod`` installs on this machine (every route downloads it); this fake lets the production
code path run as it does against a server: ``pymongo.MongoClient(uri)``, connection pool, server
monitoring, BSON over TCP, command documents, cursors and getMore, write errors. What it does not
verify is MongoDB's own query engine (mongomock-ng's matcher runs instead), transactions,
replica sets and authentication."""

import datetime as dt
import itertools
import socket
import socketserver
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import bson
from bson.int64 import Int64
from pymongo.errors import PyMongoError

from leanetl.io_managers.mongo.embedded import embedded_client

OP_REPLY, OP_QUERY, OP_MSG = 1, 2004, 2013
_HEADER = struct.Struct("<iiii")
_BATCH_BYTES = 4 * 1024 * 1024  # a cursor batch stops growing here, as mongod's does (16 MB)


class MongoWireServer:
    """Serve ``mongodb://127.0.0.1:<port>/`` from one mongomock-ng client; ``commands`` counts
    the commands received by name."""

    def __init__(self) -> None:
        self.client = embedded_client()  # mongomock-ng, with the embedded store's _id lookups
        self.commands: dict[str, int] = {}
        self._lock = threading.Lock()
        self._cursors: dict[int, tuple[str, list[dict]]] = {}
        self._ids = itertools.count(1)
        fake = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                fake._serve(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.uri = f"mongodb://127.0.0.1:{self.port}/"

    def __enter__(self) -> "MongoWireServer":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- framing -----------------------------------------------------------------------------

    def _serve(self, conn: socket.socket) -> None:
        while True:
            header = _read(conn, _HEADER.size)
            if header is None:
                return
            length, request_id, _, op = _HEADER.unpack(header)
            body = _read(conn, length - _HEADER.size) or b""
            if op == OP_MSG:
                reply = _op_msg(self.run(_msg_command(body)))
                code = OP_MSG
            elif op == OP_QUERY:
                reply, code = _op_reply(self.run(_query_command(body))), OP_REPLY
            else:
                return  # an opcode no current driver sends: drop the connection
            # One write per message: a header sent apart waits on Nagle and delayed ACKs (40 ms).
            head = _HEADER.pack(_HEADER.size + len(reply), next(self._ids), request_id, code)
            conn.sendall(head + reply)

    # --- commands ----------------------------------------------------------------------------

    def run(self, command: dict[str, Any]) -> dict[str, Any]:
        name = next(iter(command))
        self.commands[name] = self.commands.get(name, 0) + 1
        handler = getattr(self, f"_cmd_{name.lower()}", None)
        if handler is None:
            return {"ok": 0.0, "errmsg": f"no such command: '{name}'", "code": 59}
        with self._lock:
            try:
                return {**handler(command), "ok": 1.0}
            except PyMongoError as exc:
                return {"ok": 0.0, "errmsg": str(exc), "code": getattr(exc, "code", 8) or 8}

    def _collection(self, command: dict[str, Any], name: str) -> Any:
        return self.client[command["$db"]][command[name]]

    def _cmd_hello(self, command: dict[str, Any]) -> dict[str, Any]:
        return {
            "helloOk": True, "isWritablePrimary": True, "ismaster": True,
            "maxBsonObjectSize": 16 * 1024 * 1024, "maxMessageSizeBytes": 48_000_000,
            "maxWriteBatchSize": 100_000, "minWireVersion": 0, "maxWireVersion": 21,
            "logicalSessionTimeoutMinutes": 30, "connectionId": next(self._ids),
            "localTime": dt.datetime.now(dt.UTC),
        }  # fmt: skip

    _cmd_ismaster = _cmd_hello

    def _cmd_ping(self, command: dict[str, Any]) -> dict[str, Any]:
        return {}

    _cmd_endsessions = _cmd_ping

    def _cmd_buildinfo(self, command: dict[str, Any]) -> dict[str, Any]:
        return {"version": "7.0.0", "versionArray": [7, 0, 0, 0]}

    def _cmd_find(self, command: dict[str, Any]) -> dict[str, Any]:
        cursor = self._collection(command, "find").find(
            command.get("filter", {}), command.get("projection")
        )
        if command.get("sort"):
            cursor = cursor.sort(list(command["sort"].items()))
        cursor = cursor.skip(command.get("skip", 0)).limit(abs(command.get("limit", 0)))
        documents = list(cursor)
        if command.get("singleBatch") or command.get("limit", 0) < 0:
            command = {**command, "batchSize": len(documents)}
        return self._first_batch(command, "find", documents)

    def _cmd_aggregate(self, command: dict[str, Any]) -> dict[str, Any]:
        documents = list(self._collection(command, "aggregate").aggregate(command["pipeline"]))
        return self._first_batch(command, "aggregate", documents)

    def _first_batch(self, command: dict, name: str, documents: list) -> dict[str, Any]:
        namespace = f"{command['$db']}.{command[name]}"
        size = command.get("batchSize") or (command.get("cursor") or {}).get("batchSize")
        batch, rest = _batch(documents, size)
        cursor_id = 0
        if rest:
            cursor_id = next(self._ids)
            self._cursors[cursor_id] = (namespace, rest)
        return {"cursor": {"id": Int64(cursor_id), "ns": namespace, "firstBatch": batch}}

    def _cmd_count(self, command: dict[str, Any]) -> dict[str, Any]:
        return {"n": self._collection(command, "count").count_documents(command.get("query", {}))}

    def _cmd_getmore(self, command: dict[str, Any]) -> dict[str, Any]:
        cursor_id = int(command["getMore"])
        namespace, documents = self._cursors.pop(cursor_id)
        batch, rest = _batch(documents, command.get("batchSize"))
        if rest:
            self._cursors[cursor_id] = (namespace, rest)
        next_id = Int64(cursor_id if rest else 0)
        return {"cursor": {"id": next_id, "ns": namespace, "nextBatch": batch}}

    def _cmd_killcursors(self, command: dict[str, Any]) -> dict[str, Any]:
        for cursor_id in command.get("cursors", []):
            self._cursors.pop(int(cursor_id), None)
        return {"cursorsKilled": command.get("cursors", [])}

    def _cmd_insert(self, command: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(command, "insert")
        return _writes(command, command["documents"], collection.insert_one, lambda r: 1)

    def _cmd_update(self, command: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(command, "update")
        upserted: list[dict[str, Any]] = []
        modified = 0

        def one(index: int, spec: dict[str, Any]) -> int:
            nonlocal modified
            operators = any(k.startswith("$") for k in spec["u"])
            if not operators:
                result = collection.replace_one(spec["q"], spec["u"], upsert=spec.get("upsert"))
            elif spec.get("multi"):
                result = collection.update_many(spec["q"], spec["u"], upsert=spec.get("upsert"))
            else:
                result = collection.update_one(spec["q"], spec["u"], upsert=spec.get("upsert"))
            modified += result.modified_count
            if result.upserted_id is not None:
                upserted.append({"index": index, "_id": result.upserted_id})
                return 1
            return result.matched_count

        reply = _writes(command, command["updates"], one, lambda n: n, with_index=True)
        return {**reply, "nModified": modified, **({"upserted": upserted} if upserted else {})}

    def _cmd_delete(self, command: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(command, "delete")

        def one(spec: dict[str, Any]) -> int:
            if spec.get("limit") == 1:
                return collection.delete_one(spec["q"]).deleted_count
            return collection.delete_many(spec["q"]).deleted_count

        return _writes(command, command["deletes"], one, lambda n: n)

    def _cmd_createindexes(self, command: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(command, "createIndexes")
        for index in command["indexes"]:
            collection.create_index(list(index["key"].items()), unique=index.get("unique", False))
        return {"numIndexesAfter": len(command["indexes"]) + 1}

    def _cmd_listcollections(self, command: dict[str, Any]) -> dict[str, Any]:
        names = self.client[command["$db"]].list_collection_names()
        documents = [{"name": n, "type": "collection", "options": {}} for n in names]
        return self._first_batch(
            {**command, "listCollections": "$cmd"}, "listCollections", documents
        )

    def _cmd_drop(self, command: dict[str, Any]) -> dict[str, Any]:
        self._collection(command, "drop").drop()
        return {}

    def _cmd_dropdatabase(self, command: dict[str, Any]) -> dict[str, Any]:
        self.client.drop_database(command["$db"])
        return {}


def _writes(command, specs, apply, count, with_index: bool = False) -> dict[str, Any]:
    """Apply each write in turn, as mongod does: an ordered batch stops at its first error, an
    unordered one carries on; errors are reported by index in ``writeErrors``."""
    done, errors = 0, []
    for index, spec in enumerate(specs):
        try:
            done += count(apply(index, spec) if with_index else apply(spec))
        except PyMongoError as exc:
            errors.append(
                {"index": index, "code": getattr(exc, "code", 2) or 2, "errmsg": str(exc)}
            )
            if command.get("ordered", True):
                break
    return {"n": done, **({"writeErrors": errors} if errors else {})}


def _batch(documents: list, size: int | None) -> tuple[list, list]:
    limit, taken, used = size or len(documents), 0, 0
    while taken < min(limit, len(documents)) and (used < _BATCH_BYTES or taken == 0):
        used += len(bson.encode(documents[taken]))
        taken += 1
    return documents[:taken], documents[taken:]


def _read(conn: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _msg_command(body: bytes) -> dict[str, Any]:
    """An OP_MSG's command: its body section, with each document sequence (kind 1) added as a
    list under its identifier (``documents``, ``updates``, ``deletes``)."""
    (flags,) = struct.unpack_from("<I", body)
    end = len(body) - (4 if flags & 1 else 0)  # checksumPresent
    position, command, sequences = 4, {}, {}
    while position < end:
        kind = body[position]
        position += 1
        if kind == 0:
            (size,) = struct.unpack_from("<i", body, position)
            command = bson.decode(body[position : position + size])
            position += size
        else:
            (size,) = struct.unpack_from("<i", body, position)
            section = body[position + 4 : position + size]
            name, _, documents = section.partition(b"\x00")
            sequences[name.decode()] = bson.decode_all(documents)
            position += size
    return {**command, **sequences}


def _query_command(body: bytes) -> dict[str, Any]:
    """A legacy OP_QUERY on ``<db>.$cmd`` (the driver's first handshake) as a command."""
    namespace_end = body.index(b"\x00", 4)
    database = body[4:namespace_end].decode().split(".")[0]
    position = namespace_end + 1 + 8  # numberToSkip, numberToReturn
    (size,) = struct.unpack_from("<i", body, position)
    query = bson.decode(body[position : position + size])
    return {**query.get("$query", query), "$db": database}


def _op_msg(reply: dict[str, Any]) -> bytes:
    return struct.pack("<I", 0) + b"\x00" + bson.encode(reply)


def _op_reply(reply: dict[str, Any]) -> bytes:
    return struct.pack("<iqii", 0, 0, 0, 1) + bson.encode(reply)


@contextmanager
def mongo_wire_server() -> Iterator[MongoWireServer]:
    with MongoWireServer() as server:
        yield server
