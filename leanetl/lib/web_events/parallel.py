"""A day's pending objects transformed on every core, each named exactly as one process names
them in key order.

Worker processes parse, split and type the objects (``transform_object``: the CPU-bound part)
and Parquet-encode their tables; the day's process reads the raw bytes, takes the results in key
order and writes them. A name is the one thing an object's result depends on beyond its own
bytes: the registry's answers (the first original to claim a name keeps it). So each worker
starts from the registry as the day's process holds it when the object is sent, records every
name it asks for with its answer, and the day's process asks its own registry the same questions
in key order (``NameRegistry.replay``). The same answers: the result is the one a single process
would have made, and the registry has the same entries. Another answer (an earlier object in
flight claimed the name first): that object is transformed again in the day's process with the
registry it would have had. The outputs, names and manifests are therefore those of a run on one
core, tested object by object.
"""

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace

from leanetl.lib.parquet import table_to_parquet_bytes
from leanetl.lib.web_events.manifest import Listed
from leanetl.lib.web_events.naming import NameRegistry
from leanetl.lib.web_events.objects import ObjectResult, transform_object

# Below this many pending bytes a day is transformed in its own process: starting workers (a
# Python with pandas and pyarrow each, ≈ 1 s) would cost more than it saves.
PARALLEL_MIN_BYTES = 32 << 20


@dataclass(frozen=True)
class Cores:
    """How a day's objects are spread: ``workers`` processes (0: one per core the process may
    use), only when the day's pending objects add up to ``min_bytes`` or more."""

    workers: int = 1
    min_bytes: int = PARALLEL_MIN_BYTES

    def for_day(self, pending: Sequence[Listed]) -> int:
        """The worker processes for these pending objects (1: none, the day's own process)."""
        workers = self.workers or _usable_cores()
        if len(pending) < 2 or sum(item.size for item in pending) < self.min_bytes:
            return 1
        return max(1, min(workers, len(pending)))


def _usable_cores() -> int:
    """The cores this process may run on (Linux: its affinity; elsewhere, e.g. macOS: all)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


ONE_PROCESS = Cores(workers=1)

Read = Callable[[Listed], bytes | ObjectResult]  # the object's bytes, or its dead letter


def transformed(
    pending: Sequence[Listed], read: Read, names: NameRegistry, max_bytes: int, workers: int
) -> Iterator[tuple[Listed, ObjectResult, bool]]:
    """Each pending object's result, in order, named by ``names`` as in one process, and
    whether it was transformed again in this process (its names were claimed in flight)."""
    if workers <= 1:
        for item in pending:
            data = read(item)
            if isinstance(data, bytes):
                data = transform_object(item.key, data, names, max_bytes)
            yield item, data, False
        return
    spawn = multiprocessing.get_context("spawn")  # never fork a run's threads
    with ProcessPoolExecutor(workers, mp_context=spawn) as pool:
        in_flight: deque[_Sent] = deque()
        for item in pending:
            # At most two objects per worker in flight: each worker has the next one queued,
            # and the registry sent with an object is at most that far behind.
            while len(in_flight) >= 2 * workers:
                yield _settled(in_flight.popleft(), names, max_bytes)
            data = read(item)
            job = None
            if isinstance(data, bytes):
                registry = names.to_json()
                job = pool.submit(
                    _in_worker, item.key, data, registry, names.max_event_tables, max_bytes
                )
            in_flight.append(_Sent(item, data, job))
        while in_flight:
            yield _settled(in_flight.popleft(), names, max_bytes)


@dataclass(frozen=True)
class _Sent:
    item: Listed
    data: bytes | ObjectResult  # the raw bytes, or the object's dead letter
    job: Future | None  # its transform in a worker (None: nothing to transform)


def _settled(sent: _Sent, names: NameRegistry, max_bytes: int) -> tuple[Listed, ObjectResult, bool]:
    if not isinstance(sent.data, bytes) or sent.job is None:
        return sent.item, sent.data, False
    result, asked = sent.job.result()
    if names.replay(asked):
        return sent.item, result, False
    return sent.item, transform_object(sent.item.key, sent.data, names, max_bytes), True


def _in_worker(
    key: str, data: bytes, registry: dict, max_event_tables: int, max_bytes: int
) -> tuple[ObjectResult, list[tuple]]:
    """In a worker process: the object's result (its tables Parquet-encoded) and every name it
    asked the registry for, with the answers."""
    names = NameRegistry.from_json(registry, max_event_tables)
    names.asked = []
    result = transform_object(key, data, names, max_bytes)
    encoded = {table: table_to_parquet_bytes(rows) for table, rows in result.tables.items()}
    # Sent back as Parquet, and the little the day's checks read (not the tables twice).
    return replace(result.written(), encoded=encoded), names.asked
