"""Reading analysis artifacts (report.json, frames.parquet) from the object store, with small caches.

report.json is parsed once per (object key, version) and kept in an LRU: the version is the session
record's `updated_at_s` (it moves whenever the pipeline writes the session again), so a re-analysed
session is read afresh and no request re-reads or re-parses an unchanged report. Values derived from a
report (the details body's series in a unit system) are memoised under the same version. Deleting a
session evicts it. Presigned URLs are reused for a fraction of their expiry (`PresignCache`).
"""

from __future__ import annotations

import io
import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import pyarrow.parquet as pq

from pipelines.storage import ObjectStore

DEMO_PREFIX = "demo/"
PRESIGN_REUSE_FRACTION = 0.1  # a URL is handed out for 10% of its expiry: callers get >= 90% of it

T = TypeVar("T")


def session_prefix(session_id: str) -> str:
    return f"sessions/{session_id}/"


class _Lru:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def evict_prefix(self, prefix: str) -> None:
        with self._lock:
            for key in [k for k in self._items if _key_text(k).startswith(prefix)]:
                del self._items[key]


def _key_text(key: Any) -> str:
    return key[0] if isinstance(key, tuple) else str(key)


class ReportCache:
    def __init__(
        self,
        store: ObjectStore,
        reports_capacity: int = 64,
        tables_capacity: int = 8,
        derived_capacity: int = 128,
    ) -> None:
        """Capacities bound memory: a parsed report of a 60 s clip at 60 fps is a few MB of Python
        objects, and a derived entry holds its series twice (lists and encoded JSON)."""
        self.store = store
        self._reports = _Lru(reports_capacity)
        self._tables = _Lru(tables_capacity)
        self._derived = _Lru(derived_capacity)

    def report(self, prefix: str, version: float | str = "") -> dict[str, Any] | None:
        """report.json under prefix (parsed once per version), or None when it is not there (yet).
        Blocking on a miss: call from a thread. A shallow copy: nested values are shared, read-only."""
        key = (prefix + "report.json", version)
        cached = self._reports.get(key)
        if cached is not None:
            return dict(cached)
        if not self.store.exists(key[0]):
            return None
        report = json.loads(self.store.get_bytes(key[0]))
        if not isinstance(report, dict):
            raise ValueError(f"{key[0]}: expected a JSON object")
        self._reports.put(key, report)
        return dict(report)

    def derived(self, key: tuple[str, Hashable], build: Callable[[], T]) -> T:
        """`build()` memoised under key = (object-key prefix, anything hashable: version, options).
        The value is shared between requests: it must be treated as read-only."""
        cached = self._derived.get(key)
        if cached is None:
            cached = build()
            self._derived.put(key, cached)
        return cached  # type: ignore[no-any-return]

    def table(self, prefix: str, name: str) -> dict[str, list[Any]] | None:
        """A Parquet artifact as columns (NaN -> None), or None when absent. Blocking."""
        key = prefix + name
        cached = self._tables.get(key)
        if cached is not None:
            return dict(cached)
        if not self.store.exists(key):
            return None
        table = pq.read_table(io.BytesIO(self.store.get_bytes(key)))
        columns = {col: [_clean(v) for v in table.column(col).to_pylist()] for col in table.column_names}
        self._tables.put(key, columns)
        return dict(columns)

    def url(self, key: str, expiry_s: int) -> str | None:
        return self.store.presigned_url(key, expiry_s) if self.store.exists(key) else None

    def evict(self, prefix: str) -> None:
        self._reports.evict_prefix(prefix)
        self._tables.evict_prefix(prefix)
        self._derived.evict_prefix(prefix)


class PresignCache:
    """Presigned GET URLs, reused while younger than PRESIGN_REUSE_FRACTION of their expiry.

    Signing is pure CPU (an HMAC chain per URL) but it was a visible share of a details request; a
    reused URL still has at least (1 - fraction) of its validity left when the client gets it."""

    def __init__(
        self,
        store: ObjectStore,
        capacity: int = 4096,
        fraction: float = PRESIGN_REUSE_FRACTION,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.fraction = fraction
        self.clock = clock
        self._urls = _Lru(capacity)

    def url(self, key: str, expiry_s: int) -> str:
        now_s = self.clock()
        cached = self._urls.get((key, expiry_s))
        if cached is not None and now_s - cached[1] < expiry_s * self.fraction:
            return str(cached[0])
        url = self.store.presigned_url(key, expiry_s)
        self._urls.put((key, expiry_s), (url, now_s))
        return url

    def evict(self, prefix: str) -> None:
        self._urls.evict_prefix(prefix)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):  # NaN is "unavailable" on the wire: null
        return None
    return value
