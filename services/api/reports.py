"""Reading analysis artifacts (report.json, frames.parquet) from the object store, with a small cache.

A finished report never changes, so it is cached by object key; deleting a session evicts it.
"""

from __future__ import annotations

import io
import json
import math
import threading
from collections import OrderedDict
from typing import Any

import pyarrow.parquet as pq

from pipelines.storage import ObjectStore

DEMO_PREFIX = "demo/"


def session_prefix(session_id: str) -> str:
    return f"sessions/{session_id}/"


class _Lru:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def evict_prefix(self, prefix: str) -> None:
        with self._lock:
            for key in [k for k in self._items if k.startswith(prefix)]:
                del self._items[key]


class ReportCache:
    def __init__(self, store: ObjectStore, reports_capacity: int = 256, tables_capacity: int = 8) -> None:
        self.store = store
        self._reports = _Lru(reports_capacity)
        self._tables = _Lru(tables_capacity)

    def report(self, prefix: str) -> dict[str, Any] | None:
        """report.json under prefix, or None when it is not there (yet). Blocking: call from a thread."""
        key = prefix + "report.json"
        cached = self._reports.get(key)
        if cached is not None:
            return dict(cached)
        if not self.store.exists(key):
            return None
        report = json.loads(self.store.get_bytes(key))
        if not isinstance(report, dict):
            raise ValueError(f"{key}: expected a JSON object")
        self._reports.put(key, report)
        return dict(report)

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


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):  # NaN is "unavailable" on the wire: null
        return None
    return value
