"""Session records in Redis: one JSON document per session plus per-user and per-org indexes.

Keys (namespace ``ns``): ``{ns}:session:{id}`` (JSON), ``{ns}:user_sessions:{user_id}`` and
``{ns}:org_sessions:{org_id}`` (sorted sets scored by creation time, for listing and paging).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import redis

SESSION_STATUSES = ("queued", "processing", "done", "failed")


@dataclass(slots=True)
class SessionRecord:
    session_id: str
    user_id: str
    org_id: str
    title: str
    exercise: str
    barbell_mass_kg: float
    body_joint_angles: list[str] = field(default_factory=lambda: ["all"])
    plate_diameter_m: float = 0.450
    status: str = "queued"
    progress: float = 0.0
    stage: str = "queued"
    error: str | None = None
    created_at_s: float = field(default_factory=time.time)
    updated_at_s: float = field(default_factory=time.time)
    video_key: str = ""
    original_filename: str = ""
    report_key: str | None = None
    measurement_system: str = "metric"
    # The user's profile at upload time: the analysis (force, % of height) uses these.
    user_display_name: str = ""
    user_body_mass_kg: float | None = None
    user_height_m: float | None = None
    user_age: int | None = None
    user_gender: str | None = None
    summary_metrics: dict[str, float | None] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str | bytes) -> SessionRecord:
        data = json.loads(raw)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


class SessionStore:
    def __init__(self, client: redis.Redis, namespace: str = "liftlab") -> None:
        self.redis = client
        self.ns = namespace

    def _key(self, session_id: str) -> str:
        return f"{self.ns}:session:{session_id}"

    def _user_index(self, user_id: str) -> str:
        return f"{self.ns}:user_sessions:{user_id}"

    def _org_index(self, org_id: str) -> str:
        return f"{self.ns}:org_sessions:{org_id}"

    def create(self, record: SessionRecord) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(self._key(record.session_id), record.to_json(), nx=True)
        pipe.zadd(self._user_index(record.user_id), {record.session_id: record.created_at_s})
        pipe.zadd(self._org_index(record.org_id), {record.session_id: record.created_at_s})
        created, *_ = pipe.execute()
        if not created:
            raise ValueError(f"session {record.session_id} already exists")

    def get(self, session_id: str) -> SessionRecord | None:
        raw = self.redis.get(self._key(session_id))
        return None if raw is None else SessionRecord.from_json(raw)  # type: ignore[arg-type]

    def update(self, session_id: str, **changes: Any) -> SessionRecord:
        """Read-modify-write under WATCH so concurrent updaters never lose each other's fields."""
        key = self._key(session_id)
        known = {f.name for f in fields(SessionRecord)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown session fields: {sorted(unknown)}")
        if "status" in changes and changes["status"] not in SESSION_STATUSES:
            raise ValueError(f"status: expected one of {SESSION_STATUSES}, got {changes['status']!r}")
        with self.redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    if raw is None:
                        raise KeyError(session_id)
                    record = SessionRecord.from_json(raw)  # type: ignore[arg-type]
                    for name, value in changes.items():
                        setattr(record, name, value)
                    record.updated_at_s = time.time()
                    pipe.multi()
                    pipe.set(key, record.to_json())
                    pipe.execute()
                    return record
                except redis.WatchError:
                    continue

    def list_ids(
        self,
        *,
        user_id: str | None = None,
        org_id: str | None = None,
        since_s: float | None = None,
        until_s: float | None = None,
        before_s: float | None = None,
        limit: int = 50,
    ) -> list[str]:
        """Newest first. ``before_s`` is an exclusive cursor (the created_at_s of the last item seen)."""
        if (user_id is None) == (org_id is None):
            raise ValueError("list_ids: give exactly one of user_id or org_id")
        index = self._user_index(user_id) if user_id is not None else self._org_index(org_id or "")
        hi: float | str = "+inf" if until_s is None else until_s
        if before_s is not None:
            hi = f"({before_s}" if until_s is None or before_s <= until_s else hi
        lo: float | str = "-inf" if since_s is None else since_s
        ids = self.redis.zrevrangebyscore(index, hi, lo, start=0, num=limit)
        return [i.decode() if isinstance(i, bytes) else str(i) for i in ids]  # type: ignore[union-attr]

    def count_for_user(self, user_id: str) -> int:
        return int(self.redis.zcard(self._user_index(user_id)))  # type: ignore[arg-type]

    def delete(self, session_id: str) -> bool:
        record = self.get(session_id)
        if record is None:
            return False
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(self._key(session_id))
        pipe.zrem(self._user_index(record.user_id), session_id)
        pipe.zrem(self._org_index(record.org_id), session_id)
        pipe.execute()
        return True
