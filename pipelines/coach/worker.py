"""CoachWorker: consumes the coaching job stream and writes each thread's text to Redis.

Bounded concurrency (an asyncio semaphore of Settings.llm_max_concurrency, and never more jobs read
than free slots); each job is acknowledged only after its thread is completed or failed, so a worker
that dies mid-thread leaves the entry pending and another worker reclaims it (XAUTOCLAIM) once it has
been idle longer than the longest a thread can take.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import threading
import time
from typing import Any

import redis

from pipelines.coach.generate import generate_text
from pipelines.coach.llm import LlmClient, LlmError, RetryPolicy
from pipelines.coach.store import ACTIVE_STATES, CONSUMER_GROUP, ThreadStore
from pipelines.settings import Settings

log = logging.getLogger(__name__)

READ_BLOCK_MS = 200  # how long one read waits for jobs; bounds how late a stop request is noticed
RECLAIM_EVERY_S = 30.0


class CoachWorker:
    def __init__(self, redis: redis.Redis, settings: Settings, policy: RetryPolicy | None = None,
                 consumer: str | None = None, reclaim_idle_s: float | None = None) -> None:
        if settings.llm_max_concurrency < 1:
            raise ValueError(f"llm_max_concurrency: expected >= 1, got {settings.llm_max_concurrency}")
        self.redis = redis
        self.settings = settings
        self.policy = policy or RetryPolicy()
        self.store = ThreadStore(redis, settings.redis_namespace)
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}-{threading.get_ident()}"
        # The longest one thread can legitimately take: every attempt times out, every backoff is max.
        self.thread_budget_s = self.policy.max_attempts * (settings.llm_timeout_s + self.policy.backoff_max_s)
        # A job pending this long belongs to a dead worker (a live one acks within thread_budget_s).
        self.reclaim_idle_s = reclaim_idle_s if reclaim_idle_s is not None else self.thread_budget_s + 30.0

    def run(self, stop_event: threading.Event) -> None:
        """Process jobs until stop_event is set; finishes the threads already started, then returns."""
        asyncio.run(self._run(stop_event))

    async def _run(self, stop_event: threading.Event) -> None:
        await asyncio.to_thread(self._ensure_group)
        llm = LlmClient(self.settings, self.policy) if self.settings.llm_base_url else None
        limit = self.settings.llm_max_concurrency
        semaphore = asyncio.Semaphore(limit)
        tasks: set[asyncio.Task[None]] = set()
        next_reclaim = 0.0
        try:
            while not stop_event.is_set():
                free = limit - len(tasks)
                if free <= 0:
                    await asyncio.wait(tasks, timeout=READ_BLOCK_MS / 1000,
                                       return_when=asyncio.FIRST_COMPLETED)
                    continue
                entries: list[tuple[str, dict[str, str]]] = []
                if time.monotonic() >= next_reclaim:
                    entries = await asyncio.to_thread(self._reclaim, free)
                    next_reclaim = time.monotonic() + RECLAIM_EVERY_S
                if not entries:
                    entries = await asyncio.to_thread(self._read, free)
                for entry_id, fields in entries:
                    task = asyncio.create_task(self._handle(entry_id, fields, semaphore, llm))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
            if tasks:
                await asyncio.wait(tasks)
        finally:
            if llm is not None:
                await llm.close()

    def _ensure_group(self) -> None:
        try:
            self.redis.xgroup_create(self.store.stream, CONSUMER_GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def _read(self, count: int) -> list[tuple[str, dict[str, str]]]:
        reply: Any = self.redis.xreadgroup(CONSUMER_GROUP, self.consumer, {self.store.stream: ">"},
                                           count=count, block=READ_BLOCK_MS)
        return [(_s(eid), _fields(f)) for _, entries in reply or [] for eid, f in entries]

    def _reclaim(self, count: int) -> list[tuple[str, dict[str, str]]]:
        min_idle_ms = int(self.reclaim_idle_s * 1000)
        reply: Any = self.redis.xautoclaim(self.store.stream, CONSUMER_GROUP, self.consumer, min_idle_ms,
                                      start_id="0-0", count=count)
        return [(_s(eid), _fields(f)) for eid, f in reply[1] if f]

    async def _handle(self, entry_id: str, fields: dict[str, str], semaphore: asyncio.Semaphore,
                      llm: LlmClient | None) -> None:
        async with semaphore:
            try:
                await self._process(fields.get("thread_id", ""), llm)
            except Exception:  # never lose the loop to one bad job; the record says why when it can
                log.exception("coach job %s failed", entry_id)
            finally:
                await asyncio.to_thread(self.redis.xack, self.store.stream, CONSUMER_GROUP, entry_id)

    async def _process(self, thread_id: str, llm: LlmClient | None) -> None:
        record = await asyncio.to_thread(self.store.load, thread_id)
        if record is None or record["state"] not in ACTIVE_STATES:
            return  # deleted with its session, or already finished by another worker
        if not await asyncio.to_thread(self.store.update, record, {"state": "running"}):
            return
        try:
            doc: dict[str, Any] = json.loads(record["findings"])
            text, source = await asyncio.wait_for(generate_text(doc, llm), timeout=self.thread_budget_s)
        except LlmError as exc:
            await asyncio.to_thread(self.store.update, record, {"state": "failed", "error": str(exc)})
            return
        except TimeoutError:
            reason = f"thread took longer than {self.thread_budget_s:g} s"
            await asyncio.to_thread(self.store.update, record, {"state": "failed", "error": reason})
            return
        except Exception as exc:
            reason = f"internal error: {type(exc).__name__}: {exc}"
            await asyncio.to_thread(self.store.update, record, {"state": "failed", "error": reason})
            raise
        await asyncio.to_thread(self.store.update, record,
                                {"state": "completed", "text": text, "source": source, "error": ""}, text)


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _fields(raw: dict[Any, Any]) -> dict[str, str]:
    return {_s(k): _s(v) for k, v in raw.items()}
