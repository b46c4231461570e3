"""A short-lived, per-process cache of verified API keys, so a request needs no Redis round trip to
authenticate.

Revocation is honoured through an auth epoch: a Redis counter (``{ns}:auth_epoch``) that every key
revocation/rotation and every user update increments (``bump_auth_epoch``). The cache
- is cleared at once when this process makes such a change (the stores call ``on_change``);
- re-reads the epoch at most every ``EPOCH_CHECK_S`` and clears itself when it moved, so a change made
  by another replica or by ``liftlab admin`` takes effect here within that time;
- re-verifies every entry after ``PRINCIPAL_TTL_S`` regardless.
Entries are keyed by the SHA-256 of the presented key (no plaintext key is kept); only keys that
verified are stored, so a wrong secret always goes to Redis and fails there.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import redis

if TYPE_CHECKING:  # accounts imports bump_auth_epoch from here
    from services.api.accounts import UserRecord

PRINCIPAL_TTL_S = 30.0  # longest time a verified key is trusted without re-reading Redis
EPOCH_CHECK_S = 1.0  # longest time a revocation made by another process goes unnoticed here
CAPACITY = 10_000


def auth_epoch_key(namespace: str) -> str:
    return f"{namespace}:auth_epoch"


def bump_auth_epoch(client: redis.Redis, namespace: str) -> None:
    """Tell every API process that keys or users changed (revoke, rotate, role/plan/profile update)."""
    client.incr(auth_epoch_key(namespace))


@dataclass(frozen=True, slots=True)
class CachedPrincipal:
    key_id: str
    user: UserRecord
    cached_at_s: float


class PrincipalCache:
    def __init__(
        self,
        client: redis.Redis,
        namespace: str,
        *,
        ttl_s: float = PRINCIPAL_TTL_S,
        epoch_check_s: float = EPOCH_CHECK_S,
        capacity: int = CAPACITY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis = client
        self.ns = namespace
        self.ttl_s = ttl_s
        self.epoch_check_s = epoch_check_s
        self.capacity = capacity
        self.clock = clock
        self._items: OrderedDict[bytes, CachedPrincipal] = OrderedDict()
        self._lock = threading.Lock()
        self._epoch: bytes | None = None
        self._epoch_checked_s = float("-inf")
        self._generation = 0  # bumped by every clear: a verification that raced a revocation is dropped

    @staticmethod
    def _digest(key: str) -> bytes:
        return hashlib.sha256(key.encode()).digest()

    def epoch_due(self) -> bool:
        """True when the epoch must be re-read (blocking, `refresh_epoch`) before trusting entries."""
        return self.clock() - self._epoch_checked_s >= self.epoch_check_s

    def refresh_epoch(self) -> None:
        """Blocking: read the auth epoch; clear every entry when another process changed keys or users."""
        raw = self.redis.get(auth_epoch_key(self.ns))
        epoch = raw if isinstance(raw, bytes) else (str(raw).encode() if raw is not None else b"0")
        with self._lock:
            if epoch != self._epoch:
                self._items.clear()
                self._generation += 1
                self._epoch = epoch
            self._epoch_checked_s = self.clock()

    def get(self, key: str) -> CachedPrincipal | None:
        """The cached principal of a verified key, if fresh. Pure CPU; call `refresh_epoch` first when due."""
        digest = self._digest(key)
        with self._lock:
            entry = self._items.get(digest)
            if entry is None:
                return None
            if self.clock() - entry.cached_at_s >= self.ttl_s:
                del self._items[digest]
                return None
            self._items.move_to_end(digest)
            return entry

    @property
    def generation(self) -> int:
        """Read before verifying a key in Redis; pass to `put`."""
        return self._generation

    def put(self, key: str, key_id: str, user: UserRecord, generation: int | None = None) -> None:
        """Cache a verified key, unless the cache was cleared since `generation` was read (the key or
        its user may have changed between the Redis reads and now)."""
        with self._lock:
            if generation is not None and generation != self._generation:
                return
            self._items[self._digest(key)] = CachedPrincipal(key_id, user, self.clock())
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._generation += 1

    def __len__(self) -> int:
        return len(self._items)
