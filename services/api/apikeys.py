"""API keys: shown once, stored as a SHA-256 digest, verified in constant time.

A key reads ``ll.<key_id>.<secret>``: the key id (public, 12 hex) finds the record in one lookup,
and only the digest of the 256-bit secret is stored. A high-entropy secret needs no slow KDF: nothing
short of guessing 2**256 values inverts the digest.

Keys (namespace ``ns``): ``{ns}:apikey:{key_id}`` (JSON), ``{ns}:user_keys:{user_id}`` (set of ids).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import redis

from services.api.principals import bump_auth_epoch

_PREFIX = "ll"


@dataclass(slots=True)
class ApiKeyRecord:
    key_id: str
    user_id: str
    secret_sha256: str
    label: str = ""
    created_at_s: float = field(default_factory=time.time)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """What the caller sees once: the full key, and the record's public part."""

    key: str
    key_id: str
    user_id: str
    label: str
    created_at_s: float


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_key(key: str) -> tuple[str, str] | None:
    """(key_id, secret) of a well-formed key, else None."""
    parts = key.strip().split(".")
    if len(parts) != 3 or parts[0] != _PREFIX or len(parts[1]) != 12 or len(parts[2]) < 32:
        return None
    return parts[1], parts[2]


class ApiKeyStore:
    def __init__(self, client: redis.Redis, namespace: str = "liftlab") -> None:
        self.redis = client
        self.ns = namespace
        # Called after a revocation, so this process's principal cache forgets the key at once.
        self.on_change: Callable[[], None] | None = None

    def _key(self, key_id: str) -> str:
        return f"{self.ns}:apikey:{key_id}"

    def _user_keys(self, user_id: str) -> str:
        return f"{self.ns}:user_keys:{user_id}"

    def issue(self, user_id: str, label: str = "") -> IssuedKey:
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        record = ApiKeyRecord(key_id=key_id, user_id=user_id, secret_sha256=_digest(secret), label=label)
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(self._key(key_id), json.dumps(asdict(record)))
        pipe.sadd(self._user_keys(user_id), key_id)
        pipe.execute()
        return IssuedKey(
            key=f"{_PREFIX}.{key_id}.{secret}",
            key_id=key_id,
            user_id=user_id,
            label=label,
            created_at_s=record.created_at_s,
        )

    def get(self, key_id: str) -> ApiKeyRecord | None:
        raw = self.redis.get(self._key(key_id))
        return None if raw is None else ApiKeyRecord(**json.loads(raw))  # type: ignore[arg-type]

    def verify(self, key: str) -> ApiKeyRecord | None:
        """The record of a valid key, else None. The digest comparison takes constant time."""
        parts = split_key(key)
        if parts is None:
            return None
        key_id, secret = parts
        record = self.get(key_id)
        expected = record.secret_sha256 if record is not None else "0" * 64
        matches = hmac.compare_digest(_digest(secret), expected)
        return record if record is not None and matches else None

    def list_for_user(self, user_id: str) -> list[ApiKeyRecord]:
        ids = sorted(
            i.decode() if isinstance(i, bytes) else str(i)
            for i in self.redis.smembers(self._user_keys(user_id))  # type: ignore[union-attr]
        )
        records = [self.get(i) for i in ids]
        return [r for r in records if r is not None]

    def revoke(self, key_id: str) -> bool:
        record = self.get(key_id)
        if record is None:
            return False
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(self._key(key_id))
        pipe.srem(self._user_keys(record.user_id), key_id)
        pipe.execute()
        bump_auth_epoch(self.redis, self.ns)
        if self.on_change is not None:
            self.on_change()
        return True

    def rotate(self, key_id: str) -> IssuedKey | None:
        """Issue a replacement (same user and label) and revoke the old key; None if it does not exist."""
        record = self.get(key_id)
        if record is None:
            return None
        issued = self.issue(record.user_id, record.label)
        self.revoke(key_id)
        return issued
