"""The analysis job queue: a Redis Stream with one consumer group of pipeline runners.

A claimed job stays pending until acked, so a runner that dies mid-job leaves it for another runner
to reclaim (``reclaim_stale``) instead of losing it.
"""

from __future__ import annotations

import redis

_GROUP = "runners"


class JobQueue:
    def __init__(self, client: redis.Redis, namespace: str = "liftlab", stream: str = "jobs") -> None:
        self.redis = client
        self.stream = f"{namespace}:{stream}"
        self._group_ready = False

    def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            self.redis.xgroup_create(self.stream, _GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    def enqueue(self, job: dict[str, str]) -> str:
        self._ensure_group()
        msg_id = self.redis.xadd(self.stream, job)  # type: ignore[arg-type]
        return _text(msg_id)

    def claim(self, consumer: str, block_ms: int = 1000) -> tuple[str, dict[str, str]] | None:
        self._ensure_group()
        reply = self.redis.xreadgroup(_GROUP, consumer, {self.stream: ">"}, count=1, block=block_ms)
        if not reply:
            return None
        _stream, messages = reply[0]  # type: ignore[index]
        msg_id, fields = messages[0]  # type: ignore[misc,str-unpack]
        return _text(msg_id), {_text(k): _text(v) for k, v in fields.items()}  # type: ignore[union-attr,arg-type]

    def ack(self, msg_id: str) -> None:
        self._ensure_group()
        pipe = self.redis.pipeline()
        pipe.xack(self.stream, _GROUP, msg_id)
        pipe.xdel(self.stream, msg_id)
        pipe.execute()

    def reclaim_stale(self, consumer: str, min_idle_ms: int) -> list[tuple[str, dict[str, str]]]:
        """Take over jobs another runner claimed but did not ack within min_idle_ms."""
        self._ensure_group()
        reply = self.redis.xautoclaim(self.stream, _GROUP, consumer, min_idle_ms, start_id="0-0", count=10)
        messages = reply[1]  # type: ignore[index]
        return [(_text(m), {_text(k): _text(v) for k, v in f.items()}) for m, f in messages if f]

    def depth(self) -> int:
        """Jobs waiting or in progress (stream length; acked jobs are deleted)."""
        return int(self.redis.xlen(self.stream))  # type: ignore[arg-type]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
